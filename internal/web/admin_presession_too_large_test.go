package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// Every admin form reached without a session (login, setup, an invite's)
// answers a body over its limit, 1 MiB or its own 8 KiB, with the 413 page
// of the other admin forms, leading back to its own form; setup and
// invites answered a plain-text 400 "Bad request.". A body that is no form
// at all gets a page too.
func TestPreSessionFormsTooLargeSayGoBack(t *testing.T) {
	_, a := newAdminServer(t)
	a.loginAs("editor@example.com", "correct horse battery")
	invite := "/admin/invite/" + a.invite("ann@example.com")
	_, _, setup := newSetupServer(t)
	forms := []struct {
		name, path, advice string
		h                  http.Handler // in process; else a's server
	}{
		{"login", "/admin/login", "type only your email and password", nil},
		{"invite", invite, "type only your password, twice", nil},
		{"setup", "/admin/setup", "shorten the longest field", setup},
	}
	bodies := []struct {
		name  string
		form  url.Values
		limit string
	}{
		{"over 1 MiB", url.Values{"email": {"ann@example.com"}, "password": {strings.Repeat("x", 1100<<10)}}, "1 MiB"},
		{"10 kB", url.Values{"email": {strings.Repeat("e", 10<<10)}}, "8 KiB"},
	}
	for _, f := range forms {
		for _, b := range bodies {
			t.Run(f.name+" "+b.name, func(t *testing.T) {
				resp, body := postPreSession(t, a, f.h, f.path, b.form.Encode())
				if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					t.Fatalf("= %d %s, want 413 and a page:\n%.2000s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
				}
				for _, want := range []string{"<strong>Go back: your browser still has what you typed.</strong> Use its Back button. Then " + f.advice,
					"over " + b.limit, `<a href="` + f.path + `">Open the form again</a>`} {
					if !strings.Contains(body, want) {
						t.Errorf("the page lacks %q:\n%s", want, body)
					}
				}
			})
		}
		t.Run(f.name+" garbled", func(t *testing.T) {
			resp, body := postPreSession(t, a, f.h, f.path, "email=%zz")
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "This form could not be read") {
				t.Errorf("= %d %s, want 400 and a page saying the form could not be read:\n%.2000s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
		})
	}
}

// postPreSession posts a urlencoded body to path, on a's server, or to h
// in process from the server's own host when h is set.
func postPreSession(t *testing.T, a *adminClient, h http.Handler, path, body string) (*http.Response, string) {
	t.Helper()
	if h != nil {
		r := httptest.NewRequest("POST", path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Host, r.RemoteAddr = localHost, loopbackPeer
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Result(), rec.Body.String()
	}
	req, _ := http.NewRequest("POST", a.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return (&adminClient{t: t, base: a.base, c: &http.Client{}}).send(req)
}
