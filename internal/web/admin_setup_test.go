package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// setupClient is a browser at one peer address, calling the handler in
// process so that a peer other than loopback is only a RemoteAddr value.
type setupClient struct {
	t       *testing.T
	h       http.Handler
	peer    string // RemoteAddr
	host    string // the Host it asks for; httptest's example.com when empty
	xff     string // X-Forwarded-For, when set
	cookies map[string]*http.Cookie
}

// newSetupServer is an empty install: no admin, no list, one setup code.
func newSetupServer(t *testing.T) (*Server, *sqlite.DB, http.Handler) {
	t.Helper()
	s, db := unroutedServer(t, nil)
	tm, err := loadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	s.Templates = tm
	s.Setup = NewSetupCode()
	s.Settings = settings.NewStore(db, filepath.Join(t.TempDir(), "media"), settingsDefaults)
	return s, db, s.Handler()
}

func (c *setupClient) do(method, path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	if c.host != "" {
		r.Host = c.host
	}
	r.RemoteAddr = c.peer
	if c.xff != "" {
		r.Header.Set("X-Forwarded-For", c.xff)
	}
	for _, ck := range c.cookies {
		r.AddCookie(ck)
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, r)
	resp := rec.Result()
	if c.cookies == nil {
		c.cookies = map[string]*http.Cookie{}
	}
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck
		}
	}
	return resp, rec.Body.String()
}

// post sends the setup form with *csrf and keeps the fresh token of a
// form shown again, as a browser does.
func (c *setupClient) post(csrf *string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	form.Set("csrf", *csrf)
	resp, body := c.do("POST", "/admin/setup", form)
	if m := csrfField.FindStringSubmatch(body); m != nil {
		*csrf = m[1]
	}
	return resp, body
}

// csrf fetches the setup page and returns its CSRF token.
func (c *setupClient) csrf() string {
	c.t.Helper()
	_, body := c.do("GET", "/admin/setup", nil)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("the setup page has no csrf field:\n%s", body)
	}
	return m[1]
}

func setupForm(csrf, code string) url.Values {
	f := url.Values{"csrf": {csrf}, "email": {"ann@example.com"}, "password": {"a long passphrase"},
		"password2": {"a long passphrase"}, "list_name": {"The Weekly"}, "list_slug": {"weekly"},
		"publication_name": {"Harbour Gazette"}, "public_url": {"https://news.harbour.example"}, "from_address": {"news@harbour.example"}}
	if code != "" {
		f.Set("code", code)
	}
	return f
}

// hasAdmin reports whether ann@example.com can log in.
func hasAdmin(t *testing.T, s *Server) bool {
	t.Helper()
	_, _, err := s.Admins.Login(context.Background(), "192.0.2.99", "ann@example.com", "a long passphrase")
	return err == nil
}

const loopbackPeer, remotePeer = "127.0.0.1:40000", "198.51.100.7:4000"

// localHost is the Host a browser on the server's own host sends when it
// opens the address serve logs.
const localHost = "127.0.0.1:8080"

// TestSetupFromLoopbackMakesAdminAndList walks the first run from the
// server's own host: the login page leads to setup, setup makes the admin
// and the first (public) list and logs in, and then setup is gone.
func TestSetupFromLoopbackMakesAdminAndList(t *testing.T) {
	s, _, h := newSetupServer(t)
	c := &setupClient{t: t, h: h, peer: loopbackPeer, host: localHost}
	if resp, _ := c.do("GET", "/admin/login", nil); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/setup" {
		t.Errorf("login page with no admin = %d to %q, want a redirect to /admin/setup", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := c.do("GET", "/admin/setup", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="list_slug"`) || strings.Contains(body, `name="code"`) {
		t.Fatalf("GET /admin/setup from loopback = %d, want the form without a code field:\n%s", resp.StatusCode, body)
	}
	csrf := csrfField.FindStringSubmatch(body)[1]
	if resp, _ := (&setupClient{t: t, h: h, peer: loopbackPeer, host: localHost}).do("POST", "/admin/setup", setupForm(csrf, "")); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a post without the form's cookie = %d, want 403", resp.StatusCode)
	}
	resp, body = c.do("POST", "/admin/setup", setupForm(csrf, ""))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /admin/setup = %d to %q:\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	checkFlashRedirect(t, "POST /admin/setup", resp, "/admin", "setup-done")
	if resp, body := c.do("GET", "/admin", nil); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Log out") || bannerOf(body) != flashes["setup-done"] {
		t.Errorf("GET /admin after setup = %d with the banner %q, want the dashboard, logged in, saying setup is done", resp.StatusCode, bannerOf(body))
	}
	if _, body := c.do("GET", "/admin", nil); bannerOf(body) != "" {
		t.Errorf("the dashboard, asked for again, says %q", bannerOf(body))
	}
	if !hasAdmin(t, s) {
		t.Error("the admin was not created with the chosen password")
	}
	l, err := s.Subscribers.ListBySlug(context.Background(), "weekly")
	if err != nil || l.Name != "The Weekly" || !l.Public {
		t.Errorf("first list = %+v, %v; want a public list The Weekly", l, err)
	}
	p, err := s.Settings.Publication(context.Background())
	if err != nil || p.Name != "Harbour Gazette" || p.PublicURL != "https://news.harbour.example" || p.From() != `"Harbour Gazette" <news@harbour.example>` {
		t.Errorf("publication after setup = %+v, %v; want the name, public URL and From typed", p, err)
	}
	other := &setupClient{t: t, h: h, peer: loopbackPeer, host: localHost}
	for m, want := range map[string]int{"GET": http.StatusSeeOther, "POST": http.StatusConflict} {
		if resp, _ := other.do(m, "/admin/setup", setupForm("x", "")); resp.StatusCode != want {
			t.Errorf("%s /admin/setup once an admin exists = %d, want %d (TestSetupSentAgainOnceDoneSaysSoAndLeadsToLogin)", m, resp.StatusCode, want)
		}
	}
	if resp, _ := other.do("GET", "/admin/login", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("login page once an admin exists = %d, want 200", resp.StatusCode)
	}
}

// TestSetupRefusesBadFieldsAndWritesNothing shows every bad field at once,
// each message a sentence, as its neighbours are: the public URL's and
// the From address's came from the settings as fragments ("write one
// address, e.g. news@example.com") between "The passwords do not match:
// type the same one twice." and the others.
func TestSetupRefusesBadFieldsAndWritesNothing(t *testing.T) {
	s, _, h := newSetupServer(t)
	c := &setupClient{t: t, h: h, peer: "[::1]:40000", host: "[::1]:8080"}
	f := setupForm(c.csrf(), "")
	f.Set("email", "not an address")
	f.Set("password", "short")
	f.Set("password2", "other")
	f.Set("list_name", "")
	f.Set("list_slug", "Not A Slug")
	f.Set("publication_name", "")
	f.Set("public_url", "news.harbour.example")
	f.Set("from_address", "news at harbour")
	resp, body := c.do("POST", "/admin/setup", f)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad setup = %d, want 422:\n%s", resp.StatusCode, body)
	}
	checkSentences(t, "setup", resp, body, "email-error", "password-error", "password2-error", "list_name-error",
		"list_slug-error", "publication_name-error", "public_url-error", "from_address-error")
	for _, want := range []string{"is not an email address", "at least 10 characters", "do not match", "lower-case letters",
		"Name your publication", "starting with https://", "e.g. news@example.com"} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused form does not say %q:\n%s", want, body)
		}
	}
	if lists, _ := s.Subscribers.Lists(context.Background()); len(lists) != 0 {
		t.Errorf("a refused setup made lists: %v", lists)
	}
	if p, _ := s.Settings.Stored(context.Background()); !p.UpdatedAt.IsZero() {
		t.Errorf("a refused setup saved settings: %+v", p)
	}
	if resp, _ := c.do("GET", "/admin/setup", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("setup after a refused form = %d, want 200: no admin was made", resp.StatusCode)
	}
}

// TestSetupFromElsewhereNeedsTheCode: a peer that is not loopback, a
// loopback peer that names another client in X-Forwarded-For (a proxy on
// this host), or a loopback peer asking for a name other than the
// server's own (a page whose DNS name was rebound to 127.0.0.1) gets the
// form with a code field and a line pointing at the code in the log, and a
// 403 for a post without it; with the code, setup works, and the code
// works once.
func TestSetupFromElsewhereNeedsTheCode(t *testing.T) {
	for _, tc := range []struct{ name, peer, host, xff, client string }{
		{"remote peer", remotePeer, localHost, "", "198.51.100.7"},
		{"loopback proxy", loopbackPeer, localHost, "198.51.100.7", "198.51.100.7"},
		{"rebound name", loopbackPeer, "rebind.attacker.example:8080", "", "127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, db, h := newSetupServer(t)
			code := s.Setup.Code()
			c := &setupClient{t: t, h: h, peer: tc.peer, host: tc.host, xff: tc.xff}
			resp, body := c.do("GET", "/admin/setup", nil)
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, "setup code") || !strings.Contains(body, "log") || !strings.Contains(body, `name="code"`) {
				t.Fatalf("GET /admin/setup from elsewhere = %d, want 200 asking for the code from the log:\n%s", resp.StatusCode, body)
			}
			if strings.Contains(body, code) {
				t.Fatal("the page shows the setup code")
			}
			csrf := csrfField.FindStringSubmatch(body)[1]
			if resp, body := c.post(&csrf, setupForm("", "")); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "setup code") {
				t.Errorf("POST without the code = %d, want 403:\n%s", resp.StatusCode, body)
			}
			if resp, _ := c.post(&csrf, setupForm("", "WRONG-CODE-0000")); resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST with a wrong code = %d, want 403", resp.StatusCode)
			}
			if hasAdmin(t, s) {
				t.Fatal("setup without the right code made an admin")
			}
			var failures int
			db.Read.QueryRow(`SELECT COALESCE(SUM(failures), 0) FROM login_failures WHERE addr = ?`, tc.client).Scan(&failures)
			if failures != 1 {
				t.Errorf("login failures after one wrong code = %d, want 1", failures)
			}
			// Typed from the log with other case and spaces for dashes.
			typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
			if resp, body := c.post(&csrf, setupForm("", typed)); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("POST with the code = %d:\n%s", resp.StatusCode, body)
			}
			if !hasAdmin(t, s) {
				t.Fatal("setup with the code made no admin")
			}
			// The code is spent: with the admin gone (bulletin admin
			// remove), it opens setup no more.
			if _, err := db.Write.Exec(`DELETE FROM admins`); err != nil {
				t.Fatal(err)
			}
			d := &setupClient{t: t, h: h, peer: tc.peer, host: tc.host, xff: tc.xff}
			f := setupForm(d.csrf(), code)
			f.Set("list_slug", "other")
			if resp, _ := d.do("POST", "/admin/setup", f); resp.StatusCode != http.StatusForbidden {
				t.Errorf("the code used again = %d, want 403", resp.StatusCode)
			}
		})
	}
}

// TestSetupCodeGuessesLockTheAddressOut: wrong codes count like wrong
// passwords, so after ten even the right code is refused for a while.
func TestSetupCodeGuessesLockTheAddressOut(t *testing.T) {
	s, _, h := newSetupServer(t)
	c := &setupClient{t: t, h: h, peer: remotePeer}
	csrf := c.csrf()
	for i := 1; i <= admins.MaxFailures; i++ {
		if resp, _ := c.post(&csrf, setupForm("", "WRONG-CODE-0000")); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("wrong code %d = %d, want 403", i, resp.StatusCode)
		}
	}
	resp, _ := c.post(&csrf, setupForm("", s.Setup.Code()))
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right code after ten wrong = %d, want 429", resp.StatusCode)
	}
	checkRetryAfter(t, resp.Header, 1, int(admins.LockoutPeriod.Seconds()))
	if hasAdmin(t, s) {
		t.Error("a locked-out address made an admin")
	}
}

// TestSetupWithoutCodeFromElsewhere: when serve made no code (an admin
// existed at start and was removed since), the page says how to get one.
func TestSetupWithoutCodeFromElsewhere(t *testing.T) {
	s, _, _ := newSetupServer(t)
	s.Setup = nil
	h := s.Handler()
	c := &setupClient{t: t, h: h, peer: remotePeer}
	resp, body := c.do("GET", "/admin/setup", nil)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Restart") {
		t.Errorf("GET /admin/setup from elsewhere with no code = %d, want 403 saying to restart serve:\n%s", resp.StatusCode, body)
	}
	if resp, _ := (&setupClient{t: t, h: h, peer: loopbackPeer, host: "localhost:8080"}).do("GET", "/admin/setup", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /admin/setup from loopback with no code = %d, want 200", resp.StatusCode)
	}
}
