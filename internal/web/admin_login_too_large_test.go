package web

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A login form over its limit, with its token or none, gets the 413 page
// every admin form gets (go Back, and a link to the form), not a
// plain-text 400.
func TestLoginFormTooLargeSaysGoBack(t *testing.T) {
	_, a := newAdminServer(t)
	tests := []struct {
		name  string
		body  string
		limit string
	}{
		{"over 1 MiB", url.Values{"csrf": {a.loginFormToken()}, "email": {"editor@example.com"},
			"password": {strings.Repeat("x", 1100<<10)}}.Encode(), "1 MiB"},
		{"10 kB without a token", url.Values{"email": {strings.Repeat("e", 10<<10)}}.Encode(), "8 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Post(a.base+"/admin/login", "application/x-www-form-urlencoded", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body := string(b)
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("= %d %s, want 413 and a page:\n%.2000s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			for _, want := range []string{"<strong>Go back: your browser still has what you typed.</strong>", "over " + tt.limit,
				`<a href="/admin/login">Open the form again</a>`} {
				if !strings.Contains(body, want) {
					t.Errorf("the page lacks %q:\n%s", want, body)
				}
			}
		})
	}
}
