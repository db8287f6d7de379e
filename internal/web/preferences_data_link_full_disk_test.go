package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/subscribers"
)

// The data link ask is committed before the page answers, so that a
// serve killed before the mail goes sends it when it starts again. With
// the disk full it cannot be: the page does not tell the reader the mail
// is on its way, but answers 503, as the page's other saves do, and
// mails nothing; once space is freed the same button mails the link.
func TestDataLinkAskOnAFullDiskAnswers503(t *testing.T) {
	e := newSubEnv(t, 0)
	srv := e.dataLinksOverSMTP()
	defer e.srv.DataLinks.(*subscribers.DataLinks).Stop()
	_, prefs := e.prefsReader("ann@example.org", "daily", "daily-news")
	ask := prefs + "/data"

	tables := fillAll(t, e)
	w := e.do("POST", ask, postForm, "")
	e.srv.DataLinks.(*subscribers.DataLinks).Wait()
	page := w.Body.String()
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "60" {
		t.Errorf("the data link's button on a full disk: %d, Retry-After %q; want 503 and 60:\n%s", w.Code, w.Header().Get("Retry-After"), page)
	}
	for _, want := range []string{"<h1>Briefly unavailable</h1>", "nothing was changed", `href="` + ask + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the data link's button on a full disk: the page lacks %q:\n%s", want, page)
		}
	}
	if n := srv.Count("ann@example.org"); n != 0 {
		t.Errorf("%d mails for an ask not stored", n)
	}

	sqlitetest.Free(t, e.db, tables...)
	e.askDataLink(ask)
	if n := srv.Count("ann@example.org"); n != 1 {
		t.Errorf("%d mails once space was freed, want 1", n)
	}
}
