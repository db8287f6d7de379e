package web

import (
	"net/http"
	"strings"
	"testing"
)

// TestEmbedListSlugInAnyCaseAndUnknownSaid: ?list= matches a public
// list's slug in any case, as the signup form does, and the snippet says
// which list the reader joins; a slug of no public list (a typo, a private
// list) gets the every-list snippet with a notice naming the public lists,
// not the every-list snippet alone.
func TestEmbedListSlugInAnyCaseAndUnknownSaid(t *testing.T) {
	_, a := newSettingsServer(t)
	resp, body := a.get("/subscribe/embed?list=TIDES")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /subscribe/embed?list=TIDES = %d", resp.StatusCode)
	}
	// The preview holds the field; the snippet to copy, its text.
	if n := strings.Count(body, `<input type="hidden" name="list" value="tides">`); n != 1 {
		t.Errorf("?list=TIDES: %d hidden tides fields in the preview, want 1:\n%s", n, body)
	}
	if n := strings.Count(copiedSnippet(t, body), `<input type="hidden" name="list" value="tides">`); n != 1 {
		t.Errorf("?list=TIDES: %d hidden tides fields in the snippet to copy, want 1:\n%s", n, body)
	}
	if strings.Contains(body, `type="checkbox" name="list"`) {
		t.Errorf("?list=TIDES: the snippet offers list boxes besides the one list:\n%s", body)
	}
	if strings.Count(body, "You are signing up for ") != 2 {
		t.Errorf("?list=TIDES: the snippet does not say which list the reader joins:\n%s", body)
	}
	if strings.Contains(body, "There is no public list") {
		t.Errorf("?list=TIDES: a notice of an unknown list:\n%s", body)
	}

	_, body = a.get("/subscribe/embed?list=nope")
	if !strings.Contains(body, "There is no public list “nope”") || !strings.Contains(body, `<a href="?list=tides">tides</a>`) {
		t.Errorf("?list=nope: no notice naming the public lists:\n%s", body)
	}
	if strings.Contains(body, `type="hidden" name="list"`) {
		t.Errorf("?list=nope: a hidden list field:\n%s", body)
	}

	_, body = a.get("/subscribe/embed")
	if strings.Contains(body, "There is no public list") {
		t.Errorf("no ?list=: a notice of an unknown list:\n%s", body)
	}
}
