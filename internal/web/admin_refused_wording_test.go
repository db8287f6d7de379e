package web

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/hooks"
)

// TestAdminRefusedFormsSayOneThing: every admin form refused for its
// fields says the same above them, "Nothing was saved: fix the fields
// marked below." They said "Some fields need fixing." (campaigns,
// articles), "Check the fields marked below." (a new subscriber),
// "Nothing saved: check the fields marked below." (a subscriber's page),
// "The feed was not added: …", "The endpoint was not added: …", "The new
// list was not created: …" and "Not saved: …" for one situation.
func TestAdminRefusedFormsSayOneThing(t *testing.T) {
	s, a, _, db := fullServerDB(t)
	// An endpoint on this host, which the default guard refuses.
	s.HookDeps = HookDeps{Hooks: hooks.NewStore(db, hooks.Guard{AllowPrivate: true})}
	a.login("correct horse battery")
	const want = `role="alert">Nothing was saved: fix the fields marked below.</p>`
	hookPage := ""
	{
		resp := a.post("/admin/webhooks", url.Values{"csrf": {a.csrfOf("/admin/webhooks")}, "url": {"http://127.0.0.1:9/in"}, "events": {"subscriber.created"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("adding an endpoint = %d", resp.StatusCode)
		}
		hookPage = resp.Header.Get("Location")
	}
	tests := []struct {
		name, form, path string
		values           url.Values
	}{
		{"new campaign", "/admin/campaigns/new", "/admin/campaigns", url.Values{"action": {"save"}, "subject": {""}, "body": {"Hello"}, "lists": {"news"}}},
		{"new campaign, its time alone", "/admin/campaigns/new", "/admin/campaigns", url.Values{"action": {"save"}, "subject": {"Hi"}, "body": {"Hello"}, "lists": {"news"}, "send_at": {"soon"}}},
		{"new article", "/admin/articles/new", "/admin/articles", url.Values{"title": {""}, "url": {"https://news.example/a"}, "published_at": {"2026-11-22T06:30"}, "lists": {"news"}}},
		{"new subscriber", "/admin/subscribers/new", "/admin/subscribers", url.Values{"email": {"zoe@example.com"}, "status": {"confirmed"}}},
		{"a subscriber's page", "/admin/subscribers/1", "/admin/subscribers/1", url.Values{"email": {"not an address"}, "status": {"confirmed"}, "frequency": {"daily"}, "list": {"news"}}},
		{"new list", "/admin/lists", "/admin/lists", url.Values{"slug": {"Bad Slug"}, "name": {"Weekly"}, "digest": {"off"}, "digest_hour": {"8"}, "digest_weekday": {"monday"}, "timezone": {"UTC"}}},
		{"new feed", "/admin/feeds", "/admin/feeds", url.Values{"url": {"not a url"}, "list": {"news"}}},
		{"new endpoint", "/admin/webhooks", "/admin/webhooks", url.Values{"url": {"nope"}}},
		{"an endpoint's page", hookPage, hookPage, url.Values{"url": {"nope"}}},
		{"an invite", "/admin/team", "/admin/team/invites", url.Values{"email": {"not an address"}}},
		{"a password change", "/admin/team", "/admin/team/password", url.Values{"current": {"not mine"}, "password": {"short"}, "password2": {"other"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.values.Set("csrf", a.csrfOf(tt.form))
			resp, body := a.postBody(tt.path, tt.values)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<p class="error" id=`) {
				t.Fatalf("= %d, want 422 with a field's message:\n%s", resp.StatusCode, body)
			}
			if n := strings.Count(html.UnescapeString(body), want); n != 1 {
				t.Errorf("says %q %d times, want once:\n%s", want, n, body)
			}
			for _, old := range []string{"Some fields need fixing", "Check the fields", "check the fields", "was not added", "was not created", "Not saved:"} {
				if strings.Contains(body, old) {
					t.Errorf("still says %q:\n%s", old, body)
				}
			}
		})
	}
}
