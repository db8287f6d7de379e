package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAdminWrongMethodIs405: a known admin path asked with a method it
// does not take answers 405 with Allow and the admin's own error page
// (it was the 404 page: the admin catch-all takes every method), with or
// without the form's token; an unknown path stays 404.
func TestAdminWrongMethodIs405(t *testing.T) {
	_, a := newAdminServer(t)
	a.login("correct horse battery")
	csrf := a.csrfOf("/admin/team")
	tests := []struct {
		method, path string
		form         url.Values
		allow        string
		want         string
	}{
		{"POST", "/admin/team", url.Values{"csrf": {csrf}}, "GET, HEAD", "a page to open"},
		{"POST", "/admin/team", url.Values{}, "GET, HEAD", "a page to open"},
		{"POST", "/admin/", url.Values{"csrf": {csrf}}, "GET, HEAD", "a page to open"},
		{"DELETE", "/admin/lists", nil, "GET, HEAD, POST", "a page to open"},
		{"GET", "/admin/team/password", nil, "POST", "only takes a form sent from another page"},
		{"GET", "/admin/logout", nil, "POST", "only takes a form sent from another page"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			resp, body := a.do(tt.method, tt.path, tt.form)
			if resp.StatusCode != http.StatusMethodNotAllowed || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("= %d %s, want 405 text/html:\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			if got := resp.Header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
			// The admin layout, with its menu, not net/http's plain text.
			for _, want := range []string{`<a href="/admin/subscribers"`, "Log out", tt.want, "nothing was changed"} {
				if !strings.Contains(body, want) {
					t.Errorf("lacks %q:\n%s", want, body)
				}
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", resp.Header.Get("Cache-Control"))
			}
		})
	}

	// Still logged in: the 405s ended nothing.
	if resp, _ := a.get("/admin/team"); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /admin/team after the 405s = %d", resp.StatusCode)
	}
	for _, method := range []string{"GET", "POST"} {
		resp, body := a.do(method, "/admin/no/such/page", url.Values{"csrf": {csrf}})
		if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Allow") != "" || !strings.Contains(body, "<h1>Not found</h1>") {
			t.Errorf("%s of an unknown admin path = %d, Allow %q, want the 404 page:\n%s", method, resp.StatusCode, resp.Header.Get("Allow"), body)
		}
	}
}

// TestAdminWrongMethodNeedsALogin: without a session, a known admin path
// asked with the wrong method is sent to the login like an unknown one,
// so a visitor cannot tell which admin paths exist.
func TestAdminWrongMethodNeedsALogin(t *testing.T) {
	_, a := newAdminServer(t)
	for _, tt := range []struct{ method, path string }{
		{"POST", "/admin/team"}, {"POST", "/admin/no/such/page"},
		{"GET", "/admin/team/password"}, {"GET", "/admin/no/such/page"},
		{"DELETE", "/admin/lists"}, {"DELETE", "/admin/no/such/page"},
	} {
		resp, body := a.do(tt.method, tt.path, url.Values{})
		want := "/admin/login?next=" + url.QueryEscape(tt.path)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want || resp.Header.Get("Allow") != "" {
			t.Errorf("logged out %s %s = %d to %q, Allow %q, want 303 to %s", tt.method, tt.path, resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("Allow"), want)
		}
		if strings.Contains(body, "page to open") || strings.Contains(body, "form sent from") {
			t.Errorf("logged out %s %s tells the method apart:\n%s", tt.method, tt.path, body)
		}
	}
}
