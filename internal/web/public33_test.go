package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The signup endpoint's 405 carries its CORS headers, as its other
// answers do, so that the script of the page that embeds the form can
// read what went wrong.
func TestSignup405IsReadableAcrossOrigins(t *testing.T) {
	e := newSubEnv(t, 0)
	for _, method := range []string{"GET", "PUT", "DELETE"} {
		w := e.do(method, "/api/v1/subscriptions", "", "", "Origin", "https://publisher.example")
		if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s /api/v1/subscriptions = %d with Access-Control-Allow-Origin %q, want 405 with *", method, w.Code, w.Header().Get("Access-Control-Allow-Origin"))
		}
		if got := w.Header().Get("Allow"); got != "OPTIONS, POST" {
			t.Errorf("%s /api/v1/subscriptions: Allow = %q, want OPTIONS, POST", method, got)
		}
		if !strings.Contains(w.Body.String(), `"error":"method_not_allowed"`) {
			t.Errorf("%s /api/v1/subscriptions: body %s, want the JSON error", method, w.Body)
		}
	}
}

// The preferences form names every field at fault at once, as the
// signup form does: a frequency refused hid a list that is not shown.
func TestPreferencesFormNamesEveryFault(t *testing.T) {
	e := newSubEnv(t, 0)
	sub, path := e.prefsReader("all@example.org", "daily", "daily-news")
	w := e.form(path, url.Values{"name": {strings.Repeat("n", 101)}, "list": {"nope"}, "frequency": {"hourly"}})
	body := html.UnescapeString(w.Body.String())
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("preferences with three faults = %d, want 422:\n%s", w.Code, body)
	}
	for _, id := range []string{`id="name-error"`, `id="lists-error">Choose among the lists shown.<`, `id="frequency-error"`} {
		if !strings.Contains(body, id) {
			t.Errorf("the page lacks %s:\n%s", id, body)
		}
	}
	// Each fault alone is still named, and nothing was saved.
	w = e.form(path, url.Values{"name": {"X"}, "list": {"nope"}, "frequency": {"daily"}})
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), `id="lists-error"`) {
		t.Errorf("an unknown list alone = %d, want 422 naming lists:\n%s", w.Code, w.Body)
	}
	if got, err := e.store.Get(context.Background(), sub.ID); err != nil || got.Name != "Before" {
		t.Errorf("after refused forms: %+v %v, want the name Before unchanged", got, err)
	}
}
