package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// An admin form posted without its security token, or with a stale one,
// is refused with a 403 page in the admin layout that says so and links
// back to the page the form was on: the Referer's path when the Referer
// is this site, else the dashboard. The form changes nothing.
func TestExpiredAdminFormGetsAPageBack(t *testing.T) {
	_, a := newAdminServer(t)
	if resp := a.login("correct horse battery"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login = %d", resp.StatusCode)
	}
	host := strings.TrimPrefix(a.base, "http://")
	tests := []struct {
		name, csrf, referer string
		back, label         string
	}{
		{"no token, from the lists page", "", a.base + "/admin/lists", "/admin/lists", "Back to the page"},
		{"stale token, query kept, flash dropped", "stale", a.base + "/admin/lists?flash=list-saved&q=culture", "/admin/lists?q=culture", "Back to the page"},
		{"no Referer", "", "", "/admin", "Back to the dashboard"},
		{"another site", "", "https://elsewhere.example/admin/lists", "/admin", "Back to the dashboard"},
		{"another port of this host", "", "http://" + strings.Split(host, ":")[0] + ":1/admin/lists", "/admin", "Back to the dashboard"},
		{"this site, not the admin", "", a.base + "/subscribe", "/admin", "Back to the dashboard"},
		{"this site, a path that looks like another host", "", a.base + "//elsewhere.example/admin", "/admin", "Back to the dashboard"},
		{"not http", "", "javascript:alert(1)//" + host + "/admin/lists", "/admin", "Back to the dashboard"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := http.Header{}
			if tt.referer != "" {
				hdr.Set("Referer", tt.referer)
			}
			form := url.Values{"slug": {"expired-form"}, "name": {"Expired form"}}
			if tt.csrf != "" {
				form.Set("csrf", tt.csrf)
			}
			resp, body := send(t, a, "POST", "/admin/lists", hdr, form)
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("= %d, want 403:\n%s", resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q, want the admin's HTML page", ct)
			}
			if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Content-Security-Policy") != adminCSP {
				t.Errorf("headers %v, want the admin area's", resp.Header)
			}
			for _, want := range []string{
				"<title>This form has expired · Bulletin</title>",
				"<h1>This form has expired</h1>",
				"the form is missing its security token or it has expired",
				"Nothing was saved.",
				"Use your browser’s Back button and send the form again",
				`<a href="` + strings.ReplaceAll(tt.back, "&", "&amp;") + `">` + tt.label + `</a>`,
				`href="/admin/subscribers"`, // the admin nav: the session still stands
			} {
				if !strings.Contains(body, want) {
					t.Errorf("lacks %q:\n%s", want, body)
				}
			}
		})
	}
	if _, body := a.get("/admin/lists"); strings.Contains(body, "expired-form") {
		t.Error("a refused form created its list")
	}
}

// The login form's own token (a cookie of an hour) expires too: its 403
// is the same page, leading back to the login form with where it was
// going.
func TestExpiredLoginFormGetsAPageBack(t *testing.T) {
	_, a := newAdminServer(t)
	form := url.Values{"csrf": {"stale"}, "email": {"editor@example.com"}, "password": {"correct horse battery"}, "next": {"/admin/lists"}}
	resp, body := send(t, a, "POST", "/admin/login", nil, form)
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("= %d %s, want a 403 page:\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	for _, want := range []string{
		"<h1>This form has expired</h1>",
		"the form is missing its security token or it has expired",
		`<a href="/admin/login?next=%2Fadmin%2Flists">Back to the login page</a>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("lacks %q:\n%s", want, body)
		}
	}
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			t.Error("a refused login set a session cookie")
		}
	}
}
