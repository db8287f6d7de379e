package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// A body over MaxBodyBytes is answered by its route, in the route's own
// shape, whether its size is announced (Content-Length) or found while
// reading (chunked): the signup's 413 carries the CORS headers a page
// script needs to read it, the API asks for its token first, and the
// HTML form gets a page.
func TestOverLimitBodyIsAnsweredInTheRoutesShape(t *testing.T) {
	e := newSubEnv(t, 0)
	bigJSON := `{"email":"e@example.com","lists":["daily-news"],"name":"` + strings.Repeat("x", MaxBodyBytes) + `"}`
	bigForm := url.Values{"email": {"e@example.com"}, "list": {"daily-news"}, "name": {strings.Repeat("x", MaxBodyBytes)}}.Encode()
	cases := []struct {
		name, method, path, ctype, body string
		token                           bool
		status                          int
		contentType, origin             string
	}{
		{"signup", "POST", "/api/v1/subscriptions", "application/json", bigJSON, false, 413, "application/json", "*"},
		{"API without a token", "POST", "/api/v1/lists", "application/json", bigJSON, false, 401, "application/json", ""},
		{"API with a token", "POST", "/api/v1/lists", "application/json", bigJSON, true, 413, "application/json", ""},
		{"signup form", "POST", "/subscribe", "application/x-www-form-urlencoded", bigForm, false, 413, "text/html", ""},
	}
	for _, tc := range cases {
		for _, chunked := range []bool{false, true} {
			name := tc.name + ", Content-Length"
			if chunked {
				name = tc.name + ", chunked"
			}
			t.Run(name, func(t *testing.T) {
				r := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
				if chunked {
					r.ContentLength = -1
				}
				r.Header.Set("Content-Type", tc.ctype)
				if tc.token {
					r.Header.Set("Authorization", "Bearer "+e.token)
				}
				w := httptest.NewRecorder()
				e.h.ServeHTTP(w, r)
				if w.Code != tc.status || !strings.HasPrefix(w.Header().Get("Content-Type"), tc.contentType) {
					t.Errorf("%s %s = %d %s, want %d %s: %.300s", tc.method, tc.path, w.Code, w.Header().Get("Content-Type"), tc.status, tc.contentType, w.Body)
				}
				if got := w.Header().Get("Access-Control-Allow-Origin"); got != tc.origin {
					t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, tc.origin)
				}
			})
		}
	}
	// An API route that takes no body refuses one announced over the
	// limit all the same, once the token is checked: as it refuses any
	// body, with 422 (TestOperationThatTakesNoBodyRefusesALargeOneAs422).
	if w := e.do("DELETE", "/api/v1/subscribers/999", "application/json", bigJSON, "Authorization", "Bearer "+e.token); w.Code != http.StatusUnprocessableEntity {
		t.Errorf("DELETE with a body over 1 MiB = %d %s, want 422", w.Code, w.Body)
	}
}

// Every answer of the public signup lets a page script read it, and
// Retry-After too, so a script can say when to try again after a 429.
func TestSignupCORSExposesRetryAfter(t *testing.T) {
	e := newSubEnv(t, 1)
	body := `{"email":"ada@example.com","lists":["daily-news"]}`
	for _, tc := range []struct {
		name, method string
		status       int
	}{
		{"preflight", "OPTIONS", http.StatusNoContent},
		{"signup", "POST", http.StatusAccepted},
		{"over the rate", "POST", http.StatusTooManyRequests},
	} {
		w := e.do(tc.method, "/api/v1/subscriptions", "application/json", body, "Origin", "https://publisher.example")
		if w.Code != tc.status {
			t.Fatalf("%s: %d %s, want %d", tc.name, w.Code, w.Body, tc.status)
		}
		h := w.Header()
		if h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Access-Control-Expose-Headers") != "Retry-After" {
			t.Errorf("%s: Access-Control-Allow-Origin %q, Access-Control-Expose-Headers %q, want * and Retry-After",
				tc.name, h.Get("Access-Control-Allow-Origin"), h.Get("Access-Control-Expose-Headers"))
		}
	}
}

// An admin form over the limit gets the admin's error page saying so,
// after the session is checked, not a 403 for the token it could not
// hold.
func TestAdminFormOverLimitGetsAPage(t *testing.T) {
	_, a := newAdminServer(t)
	if resp, _ := a.postBody("/admin/lists", url.Values{"body": {strings.Repeat("x", MaxBodyBytes)}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("without a session = %d, want 303 to the login", resp.StatusCode)
	}
	a.login("correct horse battery")
	csrf := a.csrfOf("/admin/lists")
	resp, body := a.postBody("/admin/lists", url.Values{"csrf": {csrf}, "slug": {"big"}, "description": {strings.Repeat("x", MaxBodyBytes)}})
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "over 1 MiB") {
		t.Errorf("a form over 1 MiB = %d %s, want 413 and the page saying so:\n%.500s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}
