package web

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/bulletinhq/bulletin/internal/settings"
)

// Every answer carries Strict-Transport-Security exactly when the public
// URL in force is https, as the cookies are Secure: pages, the API, the
// admin area and its 404s alike. Admin answers say nosniff too.
func TestStrictTransportWhenThePublicURLIsHTTPS(t *testing.T) {
	s, h := cookieServer(t)
	paths := []string{"/admin/login", "/api/v1/lists", "/healthz", "/no/such/page", "/admin/no-such-page"}
	for _, step := range []struct {
		publicURL string
		hsts      string
	}{
		{"", ""},
		{"https://news.harbour.example", hstsValue},
		{"http://news.harbour.example", ""},
	} {
		err := s.Settings.Save(context.Background(), &settings.Update{Publication: settings.Publication{PublicURL: step.publicURL, Credit: true}})
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range paths {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			if got := rec.Header().Get("Strict-Transport-Security"); got != step.hsts {
				t.Errorf("public URL %q: GET %s (%d) has Strict-Transport-Security %q, want %q", step.publicURL, path, rec.Code, got, step.hsts)
			}
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/admin/login", nil))
	if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("admin login page: X-Content-Type-Options %q, want nosniff", got)
	}
}
