package web

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/mailer"
)

// The menu offers the Outbox only while mail goes to it: with an SMTP
// server set, its page would only say there is none. The page itself
// still answers, for a bookmark.
func TestAdminMenuOffersTheOutboxOnlyWhenMailGoesThere(t *testing.T) {
	out, err := mailer.NewOutbox(filepath.Join(t.TempDir(), "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	const item = `<a href="/admin/outbox"`
	_, withOutbox := newAdminServerWith(t, func(s *Server, _ *sqlite.DB) { s.Outbox = out })
	withOutbox.login("correct horse battery")
	if _, body := withOutbox.get("/admin/lists"); !strings.Contains(body, item) {
		t.Errorf("mail to the outbox: the menu has no Outbox:\n%s", body)
	}
	_, withSMTP := newAdminServerWith(t, func(s *Server, _ *sqlite.DB) { s.Outbox = nil })
	withSMTP.login("correct horse battery")
	if _, body := withSMTP.get("/admin/lists"); strings.Contains(body, item) {
		t.Errorf("mail over SMTP: the menu still offers the Outbox:\n%s", body)
	}
	if resp, body := withSMTP.get("/admin/outbox"); resp.StatusCode != 200 || !strings.Contains(body, "no outbox to show") {
		t.Errorf("the outbox page with SMTP = %d:\n%s", resp.StatusCode, body)
	}
	// The admin's error pages have the same menu.
	if resp, body := withSMTP.get("/admin/no-such-page"); resp.StatusCode != 404 || strings.Contains(body, item) || !strings.Contains(body, `<a href="/admin/lists"`) {
		t.Errorf("an admin 404 with SMTP = %d, offering the Outbox %v (want its menu without):\n%s", resp.StatusCode, strings.Contains(body, item), body)
	}
}
