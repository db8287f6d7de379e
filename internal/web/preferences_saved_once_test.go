package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const savedNotice = "Your preferences are saved."

// A saved preferences form is answered with a 303 to the page's own
// address, with nothing added to it: the address ?saved=1 it led to
// said "saved" again at every reload, and from a bookmark days later.
// The page says so once, right after the save: a short-lived cookie for
// that page alone tells it, and the page clears it as it says so.
func TestPreferencesSayTheyAreSavedOnce(t *testing.T) {
	e := newSubEnv(t, 0)
	_, path := e.prefsReader("once@example.org", "daily", "daily-news")

	w := e.form(path, url.Values{"name": {"Once"}, "frequency": {"daily"}, "list": {"weekend-culture"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != path {
		t.Fatalf("save = %d to %q, want 303 to the page's own address %s:\n%s", w.Code, w.Header().Get("Location"), path, w.Body)
	}
	var saved *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == preferencesSavedCookie {
			saved = c
		}
	}
	if saved == nil || saved.Path != path || !saved.HttpOnly || saved.SameSite != http.SameSiteLaxMode || saved.MaxAge <= 0 || saved.MaxAge > 60 {
		t.Fatalf("save sets %+v, want a cookie %s for %s alone, HttpOnly, SameSite=Lax, for a minute at most", saved, preferencesSavedCookie, path)
	}

	// The browser follows the redirect with the cookie: the page says
	// it is saved, and clears the cookie.
	page := e.do("GET", path, "", "", "Cookie", saved.Name+"="+saved.Value)
	if body := page.Body.String(); page.Code != http.StatusOK || !strings.Contains(body, `<p class="notice" role="status">`+savedNotice+`</p>`) {
		t.Errorf("the page after the save = %d, want 200 saying %q:\n%s", page.Code, savedNotice, body)
	}
	var cleared bool
	for _, c := range page.Result().Cookies() {
		cleared = cleared || c.Name == preferencesSavedCookie && c.Path == path && c.MaxAge < 0
	}
	if !cleared {
		t.Errorf("the page that said it is saved does not clear its cookie: %q", page.Header().Values("Set-Cookie"))
	}

	// A reload, a bookmark, the old address with ?saved=1: not saved
	// just now, so no notice.
	for _, again := range []string{path, path + "?saved=1"} {
		w := e.do("GET", again, "", "")
		if body := w.Body.String(); w.Code != http.StatusOK || strings.Contains(body, savedNotice) {
			t.Errorf("GET %s later = %d, want 200 without %q:\n%s", again, w.Code, savedNotice, body)
		}
	}
	// Another reader's page does not take this one's cookie.
	_, other := e.prefsReader("other@example.org", "daily", "daily-news")
	if strings.HasPrefix(other, saved.Path) {
		t.Fatalf("the cookie's path %s covers another reader's page %s", saved.Path, other)
	}
}
