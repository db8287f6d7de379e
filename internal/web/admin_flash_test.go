package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// flashSet is the banner resp sets for the page it redirects to: the key
// and the page's path in flashCookie, and the cookie; nil when it sets
// none.
func flashSet(resp *http.Response) (key, path string, c *http.Cookie) {
	for _, c := range resp.Cookies() {
		if c.Name == flashCookie && c.MaxAge > 0 {
			v, err := url.ParseQuery(c.Value)
			if err != nil {
				return "", "", nil
			}
			return v.Get("k"), v.Get("p"), c
		}
	}
	return "", "", nil
}

// checkFlashRedirect checks that resp answers a form with a 303 to loc,
// an address without the banner in it, and sets the banner of key for
// loc's page (its path): a short-lived cookie for the admin area that
// scripts cannot read.
func checkFlashRedirect(t *testing.T, what string, resp *http.Response, loc, key string) {
	t.Helper()
	if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != loc {
		t.Errorf("%s = %d to %q, want 303 to %q", what, resp.StatusCode, got, loc)
	}
	gotKey, gotPath, c := flashSet(resp)
	if c == nil {
		t.Errorf("%s sets no banner cookie for its page: %v", what, resp.Header.Values("Set-Cookie"))
		return
	}
	path, _, _ := strings.Cut(loc, "?")
	if gotKey != key || gotPath != path {
		t.Errorf("%s sets the banner %q for %q, want %q for %q", what, gotKey, gotPath, key, path)
	}
	if _, ok := flashes[key]; !ok {
		t.Errorf("%s: the banner %q has no text", what, key)
	}
	if c.Path != "/admin" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.MaxAge <= 0 || c.MaxAge > 60 {
		t.Errorf("%s: banner cookie %s, want one for /admin, HttpOnly, SameSite=Lax, for a minute at most", what, c)
	}
}

// followFlash asks for the page resp redirects to, with the banner's
// cookie resp sets, as a browser on the public URL does: once that URL
// is https, the cookie is Secure, and the test's client, on plain HTTP,
// would not send it.
func (a *adminClient) followFlash(resp *http.Response) (*http.Response, string) {
	a.t.Helper()
	req, err := http.NewRequest("GET", a.base+resp.Header.Get("Location"), nil)
	if err != nil {
		a.t.Fatal(err)
	}
	if _, _, c := flashSet(resp); c != nil {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	page, err := a.c.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer page.Body.Close()
	body, err := io.ReadAll(page.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return page, string(body)
}

// bannerOf is the text of the page's banner, "" when it has none.
func bannerOf(body string) string {
	if _, rest, ok := strings.Cut(body, `<div class="flash" role="status">`); ok {
		got, _, _ := strings.Cut(rest, "</div>")
		return got
	}
	return ""
}

// TestAdminFlashShowsOnlyKnownMessages: the banner comes from Bulletin's
// own table, never from the request. A ?flash= in the address, as in
// links from before and in links anyone can send an admin, shows
// nothing; nor does a cookie made up by hand with a key not in the table,
// or with a text of its own.
func TestAdminFlashShowsOnlyKnownMessages(t *testing.T) {
	_, a := newAdminServer(t)
	a.login("correct horse battery")
	for _, flash := range []string{"saved", "list-deleted", "Your session expired. Log in again at https://evil.example/admin"} {
		if _, body := a.get("/admin/lists?flash=" + url.QueryEscape(flash)); bannerOf(body) != "" || strings.Contains(body, "evil.example") {
			t.Errorf("?flash=%q shows %q, want no banner", flash, bannerOf(body))
		}
	}
	base, _ := url.Parse(a.base + "/admin")
	for _, tt := range []struct{ value, want string }{
		{url.Values{"k": {"saved"}, "p": {"/admin/lists"}}.Encode(), "Saved."},
		{url.Values{"k": {"Your session expired. Log in again at https://evil.example/admin"}, "p": {"/admin/lists"}}.Encode(), ""},
		{url.Values{"k": {"Saved."}, "p": {"/admin/lists"}}.Encode(), ""},
		{url.Values{"k": {"toString"}, "p": {"/admin/lists"}}.Encode(), ""},
		{url.Values{"p": {"/admin/lists"}}.Encode(), ""},
		{"saved", ""},
		{"%zz", ""},
		{"", ""},
	} {
		a.c.Jar.SetCookies(base, []*http.Cookie{{Name: flashCookie, Value: tt.value, Path: "/admin"}})
		resp, body := a.get("/admin/lists")
		if got := bannerOf(body); got != tt.want || (tt.want == "" && strings.Contains(body, "evil.example")) {
			t.Errorf("cookie %q shows %q, want %q", tt.value, got, tt.want)
		}
		// Read, it is cleared, whatever it held.
		if !clearsFlash(resp) {
			t.Errorf("cookie %q is not cleared by its page: %v", tt.value, resp.Header.Values("Set-Cookie"))
		}
		a.c.Jar.SetCookies(base, []*http.Cookie{{Name: flashCookie, Path: "/admin", MaxAge: -1}})
	}
}

// clearsFlash reports whether resp clears flashCookie.
func clearsFlash(resp *http.Response) bool {
	for _, c := range resp.Cookies() {
		if c.Name == flashCookie && c.MaxAge < 0 && c.Path == "/admin" {
			return true
		}
	}
	return false
}

// TestAdminFlashSaidOnce follows a save to the page it lands on: its
// address is the page's own, the page says "Saved." once, and a reload,
// or the same address opened again, says nothing. A banner for another
// page waits for it rather than show on, or be spent by, the page asked
// for first; the login page says a logout worked the same way.
func TestAdminFlashSaidOnce(t *testing.T) {
	s, a := newAdminServer(t)
	ctx := context.Background()
	sub, err := s.Subscribers.Create(ctx, &subscribers.NewSubscriber{Email: "ada@example.com", Name: "Ada", Status: "confirmed"})
	if err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	path := "/admin/subscribers/" + strconv.FormatInt(sub.ID, 10)
	_, body := a.get(path)
	token := csrfField.FindStringSubmatch(body)[1]
	resp := a.post(path, url.Values{"csrf": {token}, "name": {"Ada L."}, "status": {"confirmed"}, "frequency": {"daily"}})
	checkFlashRedirect(t, "save", resp, path, "saved")

	// Another page first: no banner there, and the save's is kept.
	if resp, body := a.get("/admin/subscribers"); bannerOf(body) != "" || clearsFlash(resp) {
		t.Errorf("the list of subscribers, asked for before the saved page, shows %q or spends its banner", bannerOf(body))
	}
	resp, body = a.get(path)
	if got := bannerOf(body); got != "Saved." || !strings.Contains(body, "Ada L.") {
		t.Errorf("after a save, %s shows the banner %q, want \"Saved.\" and the new name", path, got)
	}
	if !clearsFlash(resp) {
		t.Errorf("the saved page does not clear its banner: %v", resp.Header.Values("Set-Cookie"))
	}
	for _, again := range []string{path, path + "?flash=saved"} {
		if _, body := a.get(again); bannerOf(body) != "" {
			t.Errorf("%s, asked for again, shows %q, want no banner", again, bannerOf(body))
		}
	}

	resp = a.post(path+"/erase", url.Values{"csrf": {token}})
	checkFlashRedirect(t, "erase", resp, "/admin/subscribers", "erased")
	if _, body := a.get("/admin/subscribers"); bannerOf(body) != flashes["erased"] {
		t.Errorf("after an erase, the list shows the banner %q", bannerOf(body))
	}

	resp = a.post("/admin/logout", url.Values{"csrf": {token}})
	checkFlashRedirect(t, "logout", resp, "/admin/login", "logged-out")
	loggedOut := `<p class="flash" role="status">You are logged out.</p>`
	if _, body := a.get("/admin/login"); !strings.Contains(body, loggedOut) {
		t.Errorf("the login page after a logout does not say so:\n%s", body)
	}
	for _, again := range []string{"/admin/login", "/admin/login?flash=logged-out"} {
		if _, body := a.get(again); strings.Contains(body, loggedOut) {
			t.Errorf("%s, asked for again, still says the admin is logged out", again)
		}
	}
}

// TestAdminFlashCookieSecure: the banner's cookie is Secure when the
// session's is (secureCookies), set and cleared alike.
func TestAdminFlashCookieSecure(t *testing.T) {
	for _, secure := range []bool{false, true} {
		s, _ := unroutedServer(t, nil)
		s.SecureCookies = secure
		rec := httptest.NewRecorder()
		s.redirectWithFlash(rec, httptest.NewRequest("POST", "/admin/lists", nil), "/admin/lists/news", "list-created")
		resp := rec.Result()
		checkFlashRedirect(t, "a list made", resp, "/admin/lists/news", "list-created")
		_, _, set := flashSet(resp)
		req := httptest.NewRequest("GET", "/admin/lists/news", nil)
		req.AddCookie(&http.Cookie{Name: flashCookie, Value: set.Value})
		rec = httptest.NewRecorder()
		if key := s.takeFlash(rec, req); key != "list-created" {
			t.Errorf("the list's page takes the banner %q, want list-created", key)
		}
		cleared := rec.Result().Cookies()
		if set.Secure != secure || len(cleared) != 1 || cleared[0].MaxAge >= 0 || cleared[0].Secure != secure {
			t.Errorf("with Secure cookies %v: the banner is set as %v and cleared as %v", secure, set, cleared)
		}
	}
}
