package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// The snippet of one list (?list=) shows the list's description under
// its name, as the every-list snippet shows each list's beside its box:
// a reader sees what they join, and the README says the snippet holds
// both.
func TestEmbedOneListShowsItsDescription(t *testing.T) {
	e := newSubEnv(t, 0)
	l := &subscribers.List{Slug: "tides", Name: "Tide Notes", Description: "High & low water, every morning", Public: true}
	if err := e.store.CreateList(context.Background(), l); err != nil {
		t.Fatal(err)
	}
	w := e.do("GET", "/subscribe/embed?list=tides", "", "")
	if w.Code != http.StatusOK {
		t.Fatalf("GET /subscribe/embed?list=tides = %d", w.Code)
	}
	want := `You are signing up for Tide Notes.<span style="display:block;font-size:14px;opacity:.8">High &amp; low water, every morning</span>`
	if n := inPreviewAndCopy(t, w.Body.String(), want); n != 2 {
		t.Errorf("the description shows %d times in the preview and the snippet to copy, want 2:\n%s", n, w.Body.String())
	}
	if strings.Contains(copiedSnippet(t, w.Body.String()), "<span style=\"display:block;font-size:14px;opacity:.8\"></span>") {
		t.Error("an empty description line in the snippet")
	}
}
