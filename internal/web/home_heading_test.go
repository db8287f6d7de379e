package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// The home page named the publication twice, one under the other: in the
// masthead every public page has, and again as the card's heading. The
// masthead is now the page's one heading, and the card starts with what
// the publication offers. The masthead leads nowhere here when the
// publication has no website: it would lead to this very page.
func TestHomePageNamesThePublicationOnce(t *testing.T) {
	e := newSubEnv(t, 0)
	w := e.do("GET", "/", "", "")
	body := w.Body.String()
	if w.Code != http.StatusOK {
		t.Fatalf("GET / = %d:\n%s", w.Code, body)
	}
	if n := strings.Count(body, "<h1"); n != 1 {
		t.Errorf("GET / has %d headings of level 1, want 1:\n%s", n, body)
	}
	if !strings.Contains(body, `<header class="masthead"><h1>Bulletin</h1></header>`) {
		t.Errorf("GET / does not head the page with the masthead's name:\n%s", body)
	}
	// Outside the title and the masthead, the name is in the line for
	// readers already subscribed alone.
	card := body[strings.Index(body, `<div class="card">`):]
	if got := regexp.MustCompile(`\bBulletin\b`).FindAllStringIndex(card, -1); len(got) != 2 || !strings.Contains(card, "Every mail from Bulletin has a link") ||
		!strings.Contains(card, "Powered by Bulletin") {
		t.Errorf("the page's card names the publication %d times, want once (and the footer's credit):\n%s", len(got), card)
	}
}
