package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/settings"
)

// cookieServer is a server with one admin and a settings store, called
// straight through its handler: a cookie jar would not send a Secure
// cookie back over the test's plain HTTP, and the test changes the
// server's fields between requests.
func cookieServer(t *testing.T) (*Server, http.Handler) {
	t.Helper()
	s, db := unroutedServer(t, nil)
	tm, err := loadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	s.Templates = tm
	if _, err := s.Admins.SetAdmin(context.Background(), "editor@example.com", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	s.Settings = settings.NewStore(db, filepath.Join(t.TempDir(), "media"), settingsDefaults)
	return s, s.Handler()
}

// loginCookies logs in through the form as a browser does and returns the
// cookies the form and the login set: the login CSRF cookie and the
// session cookie.
func loginCookies(t *testing.T, h http.Handler) (csrf, session *http.Cookie) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/admin/login", nil))
	csrf = cookieNamed(rec.Result(), loginCSRFCookie)
	m := csrfField.FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusOK || csrf == nil || m == nil {
		t.Fatalf("GET /admin/login = %d with CSRF cookie %v; want 200, a cookie and a csrf field", rec.Code, csrf)
	}
	form := url.Values{"csrf": {m[1]}, "email": {"editor@example.com"}, "password": {"correct horse battery"}}
	r := httptest.NewRequest("POST", "/admin/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: csrf.Name, Value: csrf.Value})
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	session = cookieNamed(rec.Result(), sessionCookie)
	if rec.Code != http.StatusSeeOther || session == nil || session.Value == "" {
		t.Fatalf("POST /admin/login = %d with session cookie %v; want 303 and a session", rec.Code, session)
	}
	return csrf, session
}

func cookieNamed(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// The login CSRF cookie and the session cookie are Secure exactly when the
// public URL in force is https. A public URL saved in the settings at run
// time decides from the next request on, whatever BASE_URL said at
// start-up; with none saved, the start-up value stands.
func TestCookiesAreSecureWhenThePublicURLIsHTTPS(t *testing.T) {
	s, h := cookieServer(t)
	steps := []struct {
		name      string
		startup   bool   // SecureCookies, from BASE_URL at start-up
		publicURL string // saved in the settings; "" for the default
		secure    bool
	}{
		{"nothing saved, http at start-up", false, "", false},
		{"nothing saved, https at start-up", true, "", true},
		{"https saved, http at start-up", false, "https://news.harbour.example", true},
		{"http saved, https at start-up", true, "http://news.harbour.example", false},
		{"https saved again", true, "https://news.harbour.example:8443", true},
		{"the default again, http at start-up", false, "", false},
	}
	for _, step := range steps {
		s.SecureCookies = step.startup
		err := s.Settings.Save(context.Background(), &settings.Update{Publication: settings.Publication{
			PublicURL: step.publicURL, Credit: true}})
		if err != nil {
			t.Fatal(err)
		}
		csrf, session := loginCookies(t, h)
		if csrf.Secure != step.secure || session.Secure != step.secure {
			t.Errorf("%s: login CSRF cookie Secure=%t, session cookie Secure=%t; want both %t",
				step.name, csrf.Secure, session.Secure, step.secure)
		}
	}
}
