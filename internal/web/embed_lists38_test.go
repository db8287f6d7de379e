package web

import (
	"html"
	"net/http"
	"strings"
	"testing"
)

// The embeddable form's lists are a group whose heading says to tick at
// least one, each with its description, as on the signup page; a form
// for one list says which it joins and has no group.
func TestEmbedListsAreAGroupWithAHint38(t *testing.T) {
	e := newSubEnv(t, 0)
	w := e.do("GET", "/subscribe/embed", "", "")
	if w.Code != http.StatusOK {
		t.Fatalf("GET /subscribe/embed = %d", w.Code)
	}
	// The snippet is shown twice: escaped in the box to copy, and live.
	snippet := html.UnescapeString(w.Body.String()[strings.Index(w.Body.String(), `<textarea id="snippet"`):])
	snippet = snippet[:strings.Index(snippet, "</textarea>")]
	lists, err := e.store.PublicLists(t.Context())
	if err != nil || len(lists) < 2 {
		t.Fatalf("public lists: %d, %v; the test needs two", len(lists), err)
	}
	legend := `<legend style="font-weight:600;padding:0">Lists <span style="font-weight:normal">(tick at least one)</span></legend>`
	if !strings.Contains(snippet, "<fieldset") || !strings.Contains(snippet, legend) {
		t.Errorf("the snippet's lists are not a group with the hint:\n%s", snippet)
	}
	for _, l := range lists {
		if !strings.Contains(snippet, `value="`+l.Slug+`"`) {
			t.Errorf("the snippet lacks the list %s", l.Slug)
		}
		if l.Description != "" && !strings.Contains(snippet, l.Description) {
			t.Errorf("the snippet lacks the description of %s, %q", l.Slug, l.Description)
		}
	}
	one := e.do("GET", "/subscribe/embed?list="+lists[0].Slug, "", "").Body.String()
	if strings.Contains(one, "<fieldset") || !strings.Contains(one, "You are signing up for "+html.EscapeString(lists[0].Name)) {
		t.Errorf("the one-list snippet has a group of lists, or does not name its list")
	}
}
