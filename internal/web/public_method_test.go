package web

import (
	"net/http"
	"strings"
	"testing"
)

// A public address asked with a method it does not take answers 405 with
// its Allow on the publication's page, saying what the address is for,
// not net/http's plain "Method Not Allowed"; an unknown address stays the
// 404 page.
func TestPublicWrongMethodIs405Page(t *testing.T) {
	e := newSubEnv(t, 0)
	for _, tc := range []struct{ method, path, allow, says string }{
		{"DELETE", "/subscribe", "GET, HEAD, POST", "a page and the form on it, which take GET, HEAD and POST, not DELETE"},
		{"PUT", "/subscribe/embed", "GET, HEAD", "a page to open as a link"},
		{"PATCH", "/unsubscribe/sometoken", "GET, HEAD, POST", "a page and the form on it, which take GET, HEAD and POST, not PATCH"},
	} {
		w := e.do(tc.method, tc.path, "", "")
		body := w.Body.String()
		if w.Code != http.StatusMethodNotAllowed || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
			t.Errorf("%s %s = %d %s, want 405 text/html:\n%s", tc.method, tc.path, w.Code, w.Header().Get("Content-Type"), body)
			continue
		}
		if got := w.Header().Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow = %q, want %q", tc.method, tc.path, got, tc.allow)
		}
		if !strings.Contains(body, "<h1>Not done at this address</h1>") || !strings.Contains(body, tc.says) ||
			!strings.Contains(body, "nothing was changed") || w.Header().Get("Content-Security-Policy") == "" {
			t.Errorf("%s %s: not the public 405 page:\n%s", tc.method, tc.path, body)
		}
	}
	if w := e.do("DELETE", "/no-such-page", "", ""); w.Code != http.StatusNotFound || w.Header().Get("Allow") != "" {
		t.Errorf("DELETE of an unknown address = %d with Allow %q, want 404 without", w.Code, w.Header().Get("Allow"))
	}
}

// A mail provider's webhook endpoint asked with another method than POST
// answers its 405 in JSON, as its other errors are: it was net/http's
// plain text.
func TestProviderWebhookWrongMethodIsJSON(t *testing.T) {
	e := newSubEnv(t, 0)
	w := e.do("GET", "/webhooks/postmark", "", "")
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "POST" ||
		!strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") || !strings.Contains(w.Body.String(), `"error":"method_not_allowed"`) {
		t.Errorf("GET /webhooks/postmark = %d, Allow %q, %s:\n%s", w.Code, w.Header().Get("Allow"), w.Header().Get("Content-Type"), w.Body)
	}
	if w := e.do("DELETE", "/no-such-page", "", ""); w.Code != http.StatusNotFound || w.Header().Get("Allow") != "" {
		t.Errorf("DELETE of an unknown address = %d with Allow %q, want 404 without", w.Code, w.Header().Get("Allow"))
	}
}
