package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// The edit form changes a reader's address with the API's rules: a bad
// address, or one another reader has, is an error by the field, with what
// was typed kept; nothing is saved.
func TestAdminSubscriberChangesEmail(t *testing.T) {
	e := newAdminSubEnv(t)
	ctx := context.Background()
	ann, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "ann@example.com", Name: "Ann", Status: subscribers.StatusConfirmed, Lists: []string{"daily-news"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "bo@example.com", Status: subscribers.StatusConfirmed}); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/admin/subscribers/%d", ann.ID)
	if _, body := e.a.get(path); !strings.Contains(body, `name="email" value="ann@example.com"`) {
		t.Fatalf("the form has no email field with the address:\n%s", body)
	}
	form := func(email string) url.Values {
		return url.Values{"csrf": {e.csrf}, "email": {email}, "name": {"Ann Lee"}, "status": {"confirmed"}, "frequency": {"daily"}, "list": {"daily-news"}}
	}
	for _, c := range []struct{ email, why string }{
		{"Bo@EXAMPLE.com", "Another subscriber has this address."},
		{"not an address", "Enter just the address"},
		{"", "Enter"},
	} {
		resp, body := e.a.postBody(path, form(c.email))
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("email %q = %d, want 422", c.email, resp.StatusCode)
			continue
		}
		field := regexp.MustCompile(`(?s)<input id="email"[^>]*value="` + regexp.QuoteMeta(c.email) + `"[^>]*aria-invalid="true"[^>]*>\s*<p class="error" id="email-error">([^<]*)</p>`).FindStringSubmatch(body)
		if field == nil || !strings.Contains(field[1], c.why) {
			t.Errorf("email %q: no field error saying %q:\n%s", c.email, c.why, body)
		}
		if !strings.Contains(body, `value="Ann Lee"`) {
			t.Errorf("email %q: the name typed is lost", c.email)
		}
		if got, _ := e.store.Get(ctx, ann.ID); got.Email != "ann@example.com" || got.Name != "Ann" {
			t.Errorf("email %q: saved %q, %q", c.email, got.Email, got.Name)
		}
	}

	resp, _ := e.a.postBody(path, form(" Ann.Lee@Example.COM "))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a free address = %d, want 303", resp.StatusCode)
	}
	got, err := e.store.Get(ctx, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "Ann.Lee@example.com" || got.Name != "Ann Lee" {
		t.Errorf("saved %q, %q; want Ann.Lee@example.com, Ann Lee", got.Email, got.Name)
	}
	// A form without the field leaves the address alone.
	f := form("")
	f.Del("email")
	if resp, body := e.a.postBody(path, f); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a form without email = %d:\n%s", resp.StatusCode, body)
	}
	if got, _ := e.store.Get(ctx, ann.ID); got.Email != "Ann.Lee@example.com" {
		t.Errorf("a form without email changed the address to %q", got.Email)
	}
}

// A change of digest frequency made on the admin page is followed by the
// note the reader's own preferences page gives: when it takes effect.
func TestAdminSubscriberFrequencyNote(t *testing.T) {
	e := newAdminSubEnv(t)
	ctx := context.Background()
	if err := e.store.CreateList(ctx, &subscribers.List{Slug: "morning", Name: "Morning Brief", Public: true, Digest: "daily", DigestWeekday: "friday"}); err != nil {
		t.Fatal(err)
	}
	ann, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "ann@example.com", Status: subscribers.StatusConfirmed, Lists: []string{"morning"}})
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/admin/subscribers/%d", ann.ID)
	if _, body := e.a.get(path); strings.Contains(body, "takes effect") {
		t.Errorf("a note before any change:\n%s", body)
	}
	resp, _ := e.a.postBody(path, url.Values{"csrf": {e.csrf}, "email": {"ann@example.com"}, "status": {"confirmed"}, "frequency": {"weekly"}, "list": {"morning"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save = %d", resp.StatusCode)
	}
	_, choices, err := e.store.PreferencesOf(ctx, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	var want string
	for _, c := range choices {
		if c.Slug == "morning" {
			want = c.FrequencyNote
		}
	}
	if want == "" {
		t.Fatal("the preferences page gives no note after the change")
	}
	if _, body := e.a.get(resp.Header.Get("Location")); !strings.Contains(body, "<li>"+want+"</li>") {
		t.Errorf("the page after saving lacks the note %q:\n%s", want, body)
	}
}
