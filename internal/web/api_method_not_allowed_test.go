package web

import (
	"net/http"
	"strings"
	"testing"
)

// A 405 of the API says Cache-Control: no-store, as every answer to a
// request with a token does (the document's promise): the catch-all that
// answers it before the token is looked at set none.
func TestAPIMethodNotAllowedIsNotStored(t *testing.T) {
	_, a, token := fullServer(t)
	for _, c := range []struct{ method, path, allow string }{
		{"DELETE", "/api/v1/lists", "GET, HEAD, POST"},
		{"PUT", "/api/v1/subscribers/1", "DELETE, GET, HEAD, PATCH"},
		{"POST", "/api/v1/openapi.json", "GET, HEAD"},
	} {
		for _, bearer := range []string{token, ""} {
			req, _ := http.NewRequest(c.method, a.base+c.path, strings.NewReader(""))
			if bearer != "" {
				req.Header.Set("Authorization", "Bearer "+bearer)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != c.allow {
				t.Errorf("%s %s (token %v) = %d, Allow %q; want 405, Allow %q", c.method, c.path, bearer != "", resp.StatusCode, resp.Header.Get("Allow"), c.allow)
			}
			if got := resp.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("%s %s (token %v): Cache-Control %q, want no-store", c.method, c.path, bearer != "", got)
			}
		}
	}
}
