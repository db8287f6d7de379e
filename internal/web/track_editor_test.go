package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bulletinhq/bulletin/internal/tracking"
)

// An editor following a tracked link, from the outbox's preview or from
// a test send in their mailbox, carries their session's cookie: the click
// goes on to the link's URL but is not counted as a reader's. A reader's
// click, and one with a cookie of an ended or made-up session, still is.
func TestRedirectDoesNotCountAnEditorsClick(t *testing.T) {
	e := newTrackEnv(t)
	tmpl, err := loadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	ad := cheapAdmins(e.db)
	secret, _, err := ad.CreateFirstAdmin(context.Background(), "editor@harbour.example", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := &Server{Log: log, BaseURL: "http://news.test", Admins: ad,
		SubscriberDeps: SubscriberDeps{Pages: tmpl},
		TrackDeps:      TrackDeps{Tokens: e.tokens, Links: tracking.NewLinks(e.db), Recorder: e.rec}}
	h := s.Handler()
	id, ds := e.campaign(t, tracking.On, false, issueLinks, 3)
	click := func(path, cookie string) {
		t.Helper()
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("User-Agent", browserUA)
		if cookie != "" {
			r.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusFound || w.Header().Get("Location") != issueLinks[0] {
			t.Fatalf("GET %s = %d to %q, want 302 to %q", path, w.Code, w.Header().Get("Location"), issueLinks[0])
		}
	}
	click(e.link(id, 0, ds[0]), secret)      // the editor, with a reader's link
	click(e.link(id, 0, 0), secret)          // the editor, with the outbox's link
	click(e.link(id, 0, ds[1]), "")          // a reader
	click(e.link(id, 0, ds[2]), "not-a-one") // a reader with a stale cookie
	e.rec.Flush()
	if n := e.count(t, `SELECT COUNT(*) FROM clicks WHERE campaign_id = ?`, id); n != 2 {
		t.Errorf("%d clicks recorded, want 2 (the readers')", n)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM clicks WHERE campaign_id = ? AND (delivery_id IS NULL OR delivery_id = ?)`, id, ds[0]); n != 0 {
		t.Errorf("%d of the editor's clicks recorded, want 0", n)
	}
}
