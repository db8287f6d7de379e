package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// a11yPage is what a screen reader and a keyboard meet first on an admin
// page: its title, the fields marked invalid with the ids they point at,
// the elements by id, and the fields that take the focus.
type a11yPage struct {
	title     string
	invalid   map[string][]string   // field id → its aria-describedby ids
	byID      map[string]*html.Node // every element with an id
	autofocus []string              // ids (or names) of the autofocus elements
}

func readA11y(t *testing.T, body string) a11yPage {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	p := a11yPage{invalid: map[string][]string{}, byID: map[string]*html.Node{}}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		attrs := map[string]string{}
		for _, a := range n.Attr {
			attrs[a.Key] = a.Val
		}
		if id, ok := attrs["id"]; ok {
			p.byID[id] = n
		}
		if _, ok := attrs["autofocus"]; ok {
			p.autofocus = append(p.autofocus, cmpOr(attrs["id"], attrs["name"]))
		}
		if attrs["aria-invalid"] == "true" {
			p.invalid[cmpOr(attrs["id"], attrs["name"])] = strings.Fields(attrs["aria-describedby"])
		}
		if n.Data == "title" && n.FirstChild != nil {
			p.title = n.FirstChild.Data
		}
	}
	return p
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// classOf is the class attribute of n.
func classOf(n *html.Node) string {
	for _, a := range n.Attr {
		if a.Key == "class" {
			return a.Val
		}
	}
	return ""
}

// checkRefused checks a refused form's page: a title that starts with
// "Error: ", each field of want marked invalid and described by its
// error paragraph (whose id it names), no other field marked, every id a
// field points at present on the page, and the keyboard on focus alone.
func checkRefused(t *testing.T, what, body string, want map[string]string, focus string) {
	t.Helper()
	p := readA11y(t, body)
	if !strings.HasPrefix(p.title, "Error: ") {
		t.Errorf("%s: title %q does not start with \"Error: \"", what, p.title)
	}
	for field, errID := range want {
		ids, ok := p.invalid[field]
		if !ok {
			t.Errorf("%s: field %s is not aria-invalid", what, field)
			continue
		}
		if !slices.Contains(ids, errID) {
			t.Errorf("%s: field %s is described by %q, not by its error %s", what, field, ids, errID)
		}
		if n := p.byID[errID]; n == nil || !strings.Contains(classOf(n), "error") {
			t.Errorf("%s: no error paragraph with id %s", what, errID)
		}
	}
	for field, ids := range p.invalid {
		if _, ok := want[field]; !ok {
			t.Errorf("%s: field %s is aria-invalid too", what, field)
		}
		for _, id := range ids {
			if p.byID[id] == nil {
				t.Errorf("%s: field %s points at id %s, which the page lacks", what, field, id)
			}
		}
	}
	if len(p.autofocus) != 1 || p.autofocus[0] != focus {
		t.Errorf("%s: autofocus on %q, want on %s alone", what, p.autofocus, focus)
	}
}

// checkFresh checks the same form shown before any post: no error title,
// no field marked, no autofocus.
func checkFresh(t *testing.T, what, body string) {
	t.Helper()
	p := readA11y(t, body)
	if strings.HasPrefix(p.title, "Error: ") || len(p.invalid) > 0 || len(p.autofocus) > 0 {
		t.Errorf("%s, not posted: title %q, invalid %v, autofocus %q; want none of them", what, p.title, p.invalid, p.autofocus)
	}
}

// A campaign saved with no subject, no list and a Send at that is no
// time comes back with each error tied to its field, the keyboard on the
// subject, and a title a screen reader starts with "Error".
func TestA11y38CampaignFormRefused(t *testing.T) {
	_, a, _, _ := campaignServer(t)
	a.login("correct horse battery")
	_, fresh := a.get("/admin/campaigns/new")
	checkFresh(t, "new campaign", fresh)
	form := url.Values{"csrf": {a.csrfOf("/admin/campaigns/new")}, "action": {"save"}, "subject": {""}, "body": {"Hello"},
		"send_at": {"soon"}}
	resp, body := a.postBody("/admin/campaigns", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("save with no subject = %d, want 422:\n%s", resp.StatusCode, body)
	}
	checkRefused(t, "new campaign", body, map[string]string{"subject": "subject-error", "lists": "lists-error",
		"send_at": "send_at-error"}, "subject")
	if ids := readA11y(t, body).invalid["subject"]; len(ids) != 1 {
		t.Errorf("subject described by %q, want its error alone", ids)
	}

	// A body that does not render keeps its hint beside its error.
	form.Set("subject", "Hi")
	form.Set("send_at", "")
	form.Set("body", "Hi {{ .Nme }}")
	form.Set("lists", "news")
	_, body = a.postBody("/admin/campaigns", form)
	checkRefused(t, "campaign body", body, map[string]string{"body": "body-error"}, "body")
	if ids := readA11y(t, body).invalid["body"]; !slices.Equal(ids, []string{"body-error", "body-lines"}) {
		t.Errorf("body described by %q, want its error then its hint", ids)
	}
}

// A reader added by hand with an address that is none is refused with
// the address's error tied to it and the keyboard on it.
func TestA11y38SubscriberAddRefused(t *testing.T) {
	e := newAdminSubEnv(t)
	_, fresh := e.a.get("/admin/subscribers/new")
	checkFresh(t, "add subscriber", fresh)
	_, body := e.a.postBody("/admin/subscribers", url.Values{"csrf": {e.csrf}, "email": {"not an address"}, "status": {"confirmed"},
		"list": {"daily-news"}})
	checkRefused(t, "add subscriber", body, map[string]string{"email": "email-error"}, "email")
	if !strings.Contains(body, `role="alert">Nothing was saved: fix the fields marked below.`) {
		t.Errorf("add subscriber: no summary as an alert:\n%s", body)
	}
}

// Settings with two bad values mark both, and the keyboard lands on the
// first of them on the page, not the last.
func TestA11y38SettingsRefused(t *testing.T) {
	_, a := newSettingsServer(t)
	_, fresh := a.get("/admin/settings")
	checkFresh(t, "settings", fresh)
	resp, body := a.postSettings(url.Values{"name": {"Tide Times"}, "from_address": {"news@tides.example"},
		"public_url": {"ftp://news.example"}, "accent": {"blue"}}, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("settings with a bad accent = %d, want 422:\n%s", resp.StatusCode, body)
	}
	checkRefused(t, "settings", body, map[string]string{"public_url": "public_url-error", "accent": "accent-error"}, "public_url")
	if !strings.Contains(body, `<p class="error" role="alert">Nothing was saved`) {
		t.Errorf("settings: no summary as an alert:\n%s", body)
	}
}

// An invite to an address that is none marks the invite's field, on a
// page whose other forms are left alone.
func TestA11y38TeamInviteRefused(t *testing.T) {
	_, a := newAdminServer(t)
	a.login("correct horse battery")
	_, fresh := a.get("/admin/team")
	checkFresh(t, "team", fresh)
	_, body := a.postBody("/admin/team/invites", url.Values{"csrf": {a.csrfOf("/admin/team")}, "email": {"nobody"}})
	checkRefused(t, "team invite", body, map[string]string{"email": "email-error"}, "email")
}

// A revoke posted without its box ticked ties the refusal to the box.
func TestA11y38ConfirmRefused(t *testing.T) {
	s, a := newAdminServer(t)
	a.login("correct horse battery")
	if _, err := s.Admins.CreateToken(t.Context(), "website"); err != nil {
		t.Fatal(err)
	}
	_, fresh := a.get("/admin/tokens/1/revoke")
	checkFresh(t, "revoke token", fresh)
	_, body := a.postBody("/admin/tokens/1/revoke", url.Values{"csrf": {a.csrfOf("/admin/tokens")}})
	checkRefused(t, "revoke token", body, map[string]string{"confirm": "confirm-error"}, "confirm")
}

// An article with no title, a relative URL and a width that is no number
// marks the three, the width keeping its hint, with the keyboard on the
// title.
func TestA11y38ArticleFormRefused(t *testing.T) {
	_, a, _ := adminArticles(t)
	_, fresh := a.get("/admin/articles/new")
	checkFresh(t, "new article", fresh)
	_, body := a.postBody("/admin/articles", url.Values{"csrf": {a.csrfOf("/admin/articles/new")}, "title": {""},
		"url": {"news.example/ferry"}, "image_url": {"https://img.news.example/ferry.jpg"}, "image_width": {"wide"},
		"image_height": {"300"}, "published_at": {"2026-11-22T06:30"}, "lists": {"news"}})
	checkRefused(t, "new article", body, map[string]string{"a-title": "err-title", "a-url": "err-url", "a-width": "err-image_width"}, "a-title")
	if ids := readA11y(t, body).invalid["a-width"]; !slices.Contains(ids, "hint-image_size") {
		t.Errorf("image width described by %q, which lost its hint", ids)
	}
}

// A suppression of a target that is neither an address nor a domain
// ties the refusal to the target field.
func TestA11y38SuppressionAddRefused(t *testing.T) {
	e := newFeedbackEnv(t)
	e.a.loginAs("editor@example.com", "correct horse battery")
	_, fresh := e.a.get("/admin/suppressions")
	checkFresh(t, "suppressions", fresh)
	_, body := e.a.postBody("/admin/suppressions", url.Values{"csrf": {e.a.csrfOf("/admin/suppressions")},
		"target": {"not an address@"}, "note": {"x"}})
	checkRefused(t, "add suppression", body, map[string]string{"target": "target-error"}, "target")
}
