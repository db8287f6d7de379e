package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A first list whose slug is left empty at setup gets one made from its
// name, and the form no longer insists on it.
func TestSetupMakesTheSlugFromTheName(t *testing.T) {
	s, _, h := newSetupServer(t)
	c := &setupClient{t: t, h: h, peer: loopbackPeer, host: localHost}
	_, page := c.do("GET", "/admin/setup", nil)
	if input := inputTag(page, `name="list_slug"`); strings.Contains(input, "required") {
		t.Errorf("the setup form requires a slug: %s", input)
	}
	f := setupForm(c.csrf(), "")
	f.Set("list_name", "The Harbour Weekly")
	f.Set("list_slug", "")
	if resp, body := c.do("POST", "/admin/setup", f); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("setup with no slug = %d:\n%s", resp.StatusCode, body)
	}
	if l, err := s.Subscribers.ListBySlug(context.Background(), "the-harbour-weekly"); err != nil || l.Name != "The Harbour Weekly" {
		t.Errorf("first list = %+v, %v; want the-harbour-weekly named The Harbour Weekly", l, err)
	}
}

// The new-list form makes the slug from the name when it is left empty; a
// list's own page gives its signup link in full when it is public, and
// says why there is none when it is private.
func TestNewListSlugFromNameAndFullSignupLink(t *testing.T) {
	s, a := newAdminServer(t)
	a.login("correct horse battery")
	_, page := a.get("/admin/lists")
	if input := inputTag(page, `name="slug"`); strings.Contains(input, "required") {
		t.Errorf("the new-list form requires a slug: %s", input)
	}
	form := url.Values{"csrf": {a.csrfOf("/admin/lists")}, "slug": {""}, "name": {"Événements & Fêtes"}, "public": {"on"},
		"digest": {"off"}, "digest_hour": {"8"}, "digest_weekday": {"monday"}, "timezone": {"UTC"}}
	resp := a.post("/admin/lists", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/lists/evenements-and-fetes" {
		t.Fatalf("create with no slug = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = a.get("/admin/lists/evenements-and-fetes")
	if input := inputTag(page, `name="slug"`); !strings.Contains(input, "required") {
		t.Errorf("a stored list's slug may be emptied: %s", input)
	}
	base := strings.TrimSuffix(a.base, "/")
	if want := `value="` + base + `/subscribe?list=evenements-and-fetes"`; !strings.Contains(page, want) {
		t.Errorf("the public list's page lacks its full signup link %s", want)
	}

	form.Set("csrf", a.csrfOf("/admin/lists"))
	form.Set("name", "Editors")
	form.Del("public")
	if resp := a.post("/admin/lists", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create a private list = %d", resp.StatusCode)
	}
	if _, err := s.Subscribers.ListBySlug(context.Background(), "editors"); err != nil {
		t.Fatal(err)
	}
	_, page = a.get("/admin/lists/editors")
	if strings.Contains(page, "/subscribe?list=editors") || !strings.Contains(page, "not on the signup form") {
		t.Errorf("the private list's page offers a signup link, or does not say why not:\n%s", page)
	}
}

// The login page says how a forgotten password is set again.
func TestLoginPageSaysHowToResetAPassword(t *testing.T) {
	_, a := newAdminServer(t)
	_, page := a.get("/admin/login")
	if !strings.Contains(page, "bulletin admin create") {
		t.Errorf("the login page does not say how to reset a password:\n%s", page)
	}
}

// inputTag is the first <input …> tag of page holding attr, "" if none.
func inputTag(page, attr string) string {
	i := strings.Index(page, attr)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(page[:i], "<input")
	end := strings.Index(page[i:], ">")
	if start < 0 || end < 0 {
		return ""
	}
	return page[start : i+end+1]
}

// A slug typed wrongly, at setup or on the new-list form, is refused
// with one made from it to copy.
func TestRefusedSlugSuggestsOne(t *testing.T) {
	_, _, h := newSetupServer(t)
	c := &setupClient{t: t, h: h, peer: loopbackPeer, host: localHost}
	f := setupForm(c.csrf(), "")
	f.Set("list_slug", "The Harbour Weekly")
	if resp, body := c.do("POST", "/admin/setup", f); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "like “the-harbour-weekly”") {
		t.Errorf("setup with slug %q = %d, want 422 suggesting the-harbour-weekly:\n%s", f.Get("list_slug"), resp.StatusCode, body)
	}

	_, a := newAdminServer(t)
	a.login("correct horse battery")
	form := url.Values{"csrf": {a.csrfOf("/admin/lists")}, "slug": {"Saturday Brief"}, "name": {"Saturday Brief"}, "public": {"on"},
		"digest": {"off"}, "digest_hour": {"8"}, "digest_weekday": {"monday"}, "timezone": {"UTC"}}
	if resp, body := a.postBody("/admin/lists", form); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "like “saturday-brief”") {
		t.Errorf("new list with slug %q = %d, want 422 suggesting saturday-brief:\n%s", form.Get("slug"), resp.StatusCode, body)
	}
}
