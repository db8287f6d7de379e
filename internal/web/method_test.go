package web

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// A method a path does not take is a 405 naming the ones it does, as
// net/http answers it, in the JSON error shape and before the token is
// asked for; a path nothing serves keeps its 401 or 404.
func TestWrongMethodIs405WithAllow(t *testing.T) {
	_, a, token := fullServer(t)
	cases := []struct {
		method, path string
		token        bool
		status       int
		code, allow  string
	}{
		{"PUT", "/api/v1/lists/news", true, 405, "method_not_allowed", "DELETE, GET, HEAD, PATCH"},
		{"PUT", "/api/v1/lists/news", false, 405, "method_not_allowed", "DELETE, GET, HEAD, PATCH"},
		{"PUT", "/api/v1/articles/13", true, 405, "method_not_allowed", "DELETE, GET, HEAD, PATCH"},
		{"GET", "/api/v1/campaigns/1/send", false, 405, "method_not_allowed", "POST"},
		{"GET", "/api/v1/subscriptions", false, 405, "method_not_allowed", "OPTIONS, POST"},
		{"PUT", "/api/v1/openapi.json", false, 405, "method_not_allowed", "GET, HEAD"},
		{"DELETE", "/api/v1/subscribers", true, 405, "method_not_allowed", "GET, HEAD, POST"},
		{"POST", "/healthz", false, 405, "method_not_allowed", "GET, HEAD"},
		{"DELETE", "/readyz", false, 405, "method_not_allowed", "GET, HEAD"},
		{"GET", "/api/v1/nothing", false, 401, "unauthorized", ""},
		{"GET", "/api/v1/nothing", true, 404, "not_found", ""},
		{"PUT", "/api/v1/lists", false, 405, "method_not_allowed", "GET, HEAD, POST"},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, a.base+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.token {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var got errorBody
			if err := json.Unmarshal(body, &got); err != nil || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("%s %s = %d %s %q: not the JSON error shape", tc.method, tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			if resp.StatusCode != tc.status || got.Error != tc.code || got.Message == "" {
				t.Errorf("%s %s = %d %+v, want %d %s with a message", tc.method, tc.path, resp.StatusCode, got, tc.status, tc.code)
			}
			if allow := resp.Header.Get("Allow"); allow != tc.allow {
				t.Errorf("%s %s: Allow = %q, want %q", tc.method, tc.path, allow, tc.allow)
			}
		})
	}
}
