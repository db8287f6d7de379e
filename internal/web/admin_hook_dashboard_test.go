package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// The dashboard names an endpoint Bulletin switched off after failing,
// with the reason and a link to its page, and says nothing of one the
// admin disabled by hand, or once it is enabled again.
func TestDashboardNoticesSwitchedOffWebhook(t *testing.T) {
	var store *hooks.Store
	var db *sqlite.DB
	_, a := newAdminServerWith(t, func(s *Server, d *sqlite.DB) {
		db, store = d, hooks.NewStore(d, hooks.Guard{AllowPrivate: true})
		s.HookDeps = HookDeps{Hooks: store}
	})
	a.login("correct horse battery")
	ctx := context.Background()
	off, err := store.Create(ctx, hookInput("http://127.0.0.1:9/failing"))
	if err != nil {
		t.Fatal(err)
	}
	byHand, err := store.Create(ctx, hookInput("http://127.0.0.1:9/paused"))
	if err != nil {
		t.Fatal(err)
	}
	const reason = "No 2xx answer since 2026-11-27 09:00 UTC (last: answered 500 Internal Server Error); switched off after 3 days of failures."
	if _, err := db.Write.Exec(`UPDATE webhook_endpoints SET active = 0, disabled_at = ?, disabled_reason = ? WHERE id = ?`, sqlite.Now(), reason, off.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.Exec(`UPDATE webhook_endpoints SET active = 0 WHERE id = ?`, byHand.ID); err != nil {
		t.Fatal(err)
	}

	resp, body := a.get("/admin")
	for _, want := range []string{"Webhook endpoint switched off", `href="` + hookURL(off) + `"`, "http://127.0.0.1:9/failing", reason} {
		if resp.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("GET /admin = %d, lacks %q:\n%s", resp.StatusCode, want, body)
		}
	}
	if strings.Contains(body, "/paused") {
		t.Error("the dashboard notices an endpoint disabled by hand")
	}

	token := a.csrfOf(hookURL(off))
	if resp := a.post(hookURL(off)+"/enable", url.Values{"csrf": {token}}); resp.StatusCode/100 != 3 {
		t.Fatalf("enable = %d", resp.StatusCode)
	}
	if _, body := a.get("/admin"); strings.Contains(body, "switched off") {
		t.Errorf("the notice stays after enabling:\n%s", body)
	}
}

// hookInput is the input of an endpoint at u for subscriber.created.
func hookInput(u string) hooks.Input {
	evs := []string{hooks.SubscriberCreated}
	return hooks.Input{URL: &u, Events: &evs}
}
