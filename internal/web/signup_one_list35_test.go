package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// With one public list, as every new install has, the form as first shown
// has it ticked; sent back with "choose at least one list" (its box
// unticked, or a site's own form that names no list), the box is shown as
// it was sent, unticked, where it was shown ticked under the error.
func TestSubscribeFormWithOneListShowsItsBoxAsSent(t *testing.T) {
	e := newSubEnv(t, 0)
	ctx := context.Background()
	for _, slug := range []string{"weekend-culture", "editors-desk"} {
		if err := e.store.DeleteList(ctx, slug); err != nil {
			t.Fatal(err)
		}
	}
	if got := tickedLists(e.do("GET", "/subscribe", "", "").Body.String()); strings.Join(got, ",") != "daily-news" {
		t.Fatalf("the form as first shown ticks %v, want daily-news", got)
	}
	w := e.do("POST", "/subscribe", "application/x-www-form-urlencoded", "email=ann%40example.com&name=Ann")
	page := w.Body.String()
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(page, "Choose at least one list.") {
		t.Fatalf("POST without a list = %d, want 422 saying to choose a list:\n%s", w.Code, page)
	}
	if got := tickedLists(page); len(got) != 0 {
		t.Errorf("the form sent back ticks %v under \"choose at least one list\", want its box as sent, unticked", got)
	}
	if !strings.Contains(page, `value="ann@example.com"`) {
		t.Errorf("the form sent back lost the address typed:\n%s", page)
	}
	// Sent back for another fault, with the list ticked, it stays ticked.
	w = e.do("POST", "/subscribe", "application/x-www-form-urlencoded", "email=not-an-address&list=daily-news")
	if got := tickedLists(w.Body.String()); w.Code != http.StatusUnprocessableEntity || strings.Join(got, ",") != "daily-news" {
		t.Errorf("POST with a bad address = %d ticking %v, want 422 ticking daily-news", w.Code, got)
	}
}
