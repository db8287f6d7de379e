package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

var secretField = regexp.MustCompile(`value="(whsec_[^"]+)"`)

// TestAdminWebhooks adds an endpoint in the admin, sees its secret once,
// sends it a test event, disables, enables, rotates and deletes it, and
// sees the notice of an endpoint Bulletin switched off.
func TestAdminWebhooks(t *testing.T) {
	var store *hooks.Store
	var db *sqlite.DB
	_, a := newAdminServerWith(t, func(s *Server, d *sqlite.DB) {
		db, store = d, hooks.NewStore(d, hooks.Guard{AllowPrivate: true})
		s.HookDeps = HookDeps{Hooks: store}
	})
	a.login("correct horse battery")
	ctx := context.Background()

	resp, body := a.get("/admin/webhooks")
	for _, want := range []string{`href="/admin/webhooks"`, `action="/admin/webhooks"`, `value="subscriber.bounced"`, `No endpoints yet`} {
		if resp.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("GET /admin/webhooks = %d, lacks %s", resp.StatusCode, want)
		}
	}
	token := a.csrfOf("/admin/webhooks")
	if resp := a.post("/admin/webhooks", url.Values{"url": {"http://127.0.0.1:9/in"}, "events": {"digest.sent"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("add without csrf = %d, want 403", resp.StatusCode)
	}
	resp, body = a.postBody("/admin/webhooks", url.Values{"csrf": {token}, "url": {"nope"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "http:// or https://") || !strings.Contains(body, "Pick at least one event type") || !strings.Contains(body, `value="nope"`) {
		t.Errorf("add of a bad form = %d, want 422 with the reasons and the value:\n%s", resp.StatusCode, body)
	}
	resp = a.post("/admin/webhooks", url.Values{"csrf": {token}, "url": {"http://127.0.0.1:9/in"}, "events": {"digest.sent", "subscriber.created"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add = %d, want 303 to the secret's page", resp.StatusCode)
	}
	resp, body = a.get(resp.Header.Get("Location"))
	m := secretField.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("the page after add = %d, want 200 showing the secret, not cached:\n%s", resp.StatusCode, body)
	}
	list, err := store.List(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("endpoints %v, %v; want 1", list, err)
	}
	e := list[0]
	page := hookURL(&e)
	if _, body := a.get(page); strings.Contains(body, m[1]) || !strings.Contains(body, "No events yet") || !strings.Contains(body, `action="`+page+`/test"`) {
		t.Errorf("the endpoint page shows the secret again, or lacks the log or the test button:\n%s", body)
	}

	checkFlashRedirect(t, "test", a.post(page+"/test", url.Values{"csrf": {token}}), page, "hook-test-sent")
	if _, body := a.get(page); !strings.Contains(body, hooks.TestEvent) || !strings.Contains(body, `class="stack"`) || !strings.Contains(body, `data-label="State"`) {
		t.Errorf("the delivery log lacks the test event, or is no stacked table:\n%s", body)
	}
	resp, body = a.postBody(page, url.Values{"csrf": {token}, "url": {"http://127.0.0.1:9/in"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Pick at least one event type") {
		t.Errorf("save with no event = %d, want 422", resp.StatusCode)
	}
	checkFlashRedirect(t, "disable", a.post(page+"/disable", url.Values{"csrf": {token}}), page, "hook-disabled")
	if got, _ := store.Get(ctx, e.ID); got.Active {
		t.Error("still active after disable")
	}

	// Bulletin switches an endpoint off after 3 days of failures.
	if _, err := db.Write.Exec(`UPDATE webhook_endpoints SET active = 0, disabled_at = ?, disabled_reason = 'No 2xx answer since then.' WHERE id = ?`, sqlite.Now(), e.ID); err != nil {
		t.Fatal(err)
	}
	if _, body := a.get("/admin/webhooks"); !strings.Contains(body, "Endpoint switched off:") || !strings.Contains(body, "No 2xx answer since then.") {
		t.Errorf("the webhooks page lacks the switched-off notice:\n%s", body)
	}
	checkFlashRedirect(t, "enable", a.post(page+"/enable", url.Values{"csrf": {token}}), page, "hook-enabled")
	if _, body := a.get("/admin/webhooks"); strings.Contains(body, "Endpoint switched off:") {
		t.Error("the notice stays after enabling")
	}

	resp = a.post(page+"/rotate", url.Values{"csrf": {token}})
	resp, body = a.get(resp.Header.Get("Location"))
	if n := secretField.FindStringSubmatch(body); resp.StatusCode != 200 || n == nil || n[1] == m[1] {
		t.Errorf("rotate = %d, want a new secret shown", resp.StatusCode)
	}
	if resp := a.post(page+"/delete", url.Values{"csrf": {token}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("delete without the box = %d, want 422", resp.StatusCode)
	}
	checkFlashRedirect(t, "delete", a.post(page+"/delete", url.Values{"csrf": {token}, "confirm": {"yes"}}), "/admin/webhooks", "hook-deleted")
	for _, p := range []string{page, "/admin/webhooks/x", page + "/delete"} {
		if resp, _ := a.get(p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s after delete = %d, want 404", p, resp.StatusCode)
		}
	}
}
