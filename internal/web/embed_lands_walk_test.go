package web

import (
	"net/http"
	"strings"
	"testing"
)

// TestEmbedPageSaysWhereReadersLand: the embed page tells the publisher
// where a reader who sends the snippet ends up, under the names those
// pages carry: the "Check your inbox" page, or the signup form with what
// to fix. "The confirmation page" named neither: it read as the page the
// mail's link opens, which a reader reaches only later.
func TestEmbedPageSaysWhereReadersLand(t *testing.T) {
	_, a := newSettingsServer(t)
	resp, body := a.get("/subscribe/embed")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /subscribe/embed = %d", resp.StatusCode)
	}
	if strings.Contains(body, "the confirmation page") {
		t.Errorf("the embed page says readers land on \"the confirmation page\", which is not the page they see:\n%s", body)
	}
	for _, want := range []string{"“Check your inbox” page", "signup form here, with what to fix"} {
		if !strings.Contains(body, want) {
			t.Errorf("the embed page does not say %q:\n%s", want, body)
		}
	}

	// The words match the page a signup is answered with.
	resp, body = a.get("/subscribe/check-email")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "<h1>Check your inbox</h1>") {
		t.Errorf("GET /subscribe/check-email = %d, without the heading the embed page names:\n%s", resp.StatusCode, body)
	}
}
