package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// With the disk full (SQLITE_FULL) a signup, by the JSON API or the
// form, answered 500 "internal". It is 503 with Retry-After, saying that
// nothing can be stored now and to try later, and no SQL; /readyz says
// the database is down, where it kept answering "ok"; and a read of the
// API still answers, though its token's use cannot be recorded.
func TestFullDiskAnswers503(t *testing.T) {
	e := newSubEnv(t, 0)
	e.srv.Checks = map[string]Check{"sqlite": e.db.Ping}
	sqlitetest.Fill(t, e.db, "subscribers", "api_tokens")

	w := e.json("POST", "/api/v1/subscriptions", `{"email":"ann@example.com","lists":["daily-news"]}`)
	var body errorBody
	json.Unmarshal(w.Body.Bytes(), &body)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "60" || body.Error != "unavailable" ||
		!strings.Contains(body.Message, "cannot store anything right now") || !strings.Contains(body.Message, "try again later") {
		t.Errorf("JSON signup on a full disk: %d, Retry-After %q, %s; want 503, 60 and what happened", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	w = e.form("/subscribe", url.Values{"email": {"bea@example.com"}, "list": {"daily-news"}})
	if page := w.Body.String(); w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "60" ||
		!strings.Contains(page, "the server cannot store anything right now. Please try again later.") || !strings.Contains(page, `href="/subscribe"`) {
		t.Errorf("form signup on a full disk: %d, Retry-After %q:\n%s", w.Code, w.Header().Get("Retry-After"), page)
	}
	for _, w := range []string{w.Body.String(), body.Message} {
		if strings.Contains(strings.ToLower(w), "sql") || strings.Contains(w, "database or disk") {
			t.Errorf("the answer shows the database's words: %s", w)
		}
	}

	w = e.do("GET", "/readyz", "", "")
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), `"sqlite":"down"`) {
		t.Errorf("/readyz on a full disk: %d %s", w.Code, w.Body)
	}
	if w := e.api("GET", "/api/v1/lists", ""); w.Code != http.StatusOK {
		t.Errorf("a read of the API on a full disk: %d %s", w.Code, w.Body)
	}

	sqlitetest.Free(t, e.db, "subscribers", "api_tokens")
	if w := e.json("POST", "/api/v1/subscriptions", `{"email":"ann@example.com","lists":["daily-news"]}`); w.Code != http.StatusAccepted {
		t.Errorf("JSON signup once space is freed: %d %s", w.Code, w.Body)
	}
	if w := e.do("GET", "/readyz", "", ""); w.Code != http.StatusOK {
		t.Errorf("/readyz after a signup was stored again: %d %s", w.Code, w.Body)
	}
}
