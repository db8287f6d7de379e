package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/subscribers"
)

// TestPreferencesRefusedKeepsListsInAnyCase: a preferences form refused
// and sent back ticks the lists it sent in another case than their slug,
// as the save matches them, and what it says of the digest follows: a
// daily list sent as DAILY-NEWS is ticked, not one to tick.
func TestPreferencesRefusedKeepsListsInAnyCase(t *testing.T) {
	e := newSubEnv(t, 0)
	_, path := e.prefsReader("kit@example.org", "daily", "weekend-culture")

	w := e.form(path, url.Values{"name": {strings.Repeat("n", subscribers.MaxNameLen+1)}, "frequency": {"daily"},
		"list": {"DAILY-NEWS", "Weekend-Culture"}})
	page := html.UnescapeString(w.Body.String())
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(page, `<p class="error" id="name-error">Use at most 100 characters (this one has 101).</p>`) {
		t.Fatalf("a name of 101 characters = %d, want 422 naming it:\n%s", w.Code, page)
	}
	if got := tickedLists(page); !cmp.Equal(got, []string{"daily-news", "weekend-culture"}) {
		t.Errorf("the form refused for its name ticks %q, want daily-news and weekend-culture, sent as DAILY-NEWS and Weekend-Culture", got)
	}

	daily := "daily"
	if _, err := e.store.UpdateList(context.Background(), "daily-news", &subscribers.ListPatch{Digest: &daily}); err != nil {
		t.Fatal(err)
	}
	w = e.form(path, url.Values{"name": {strings.Repeat("n", subscribers.MaxNameLen+1)}, "frequency": {"weekly"}, "list": {"DAILY-NEWS"}})
	page = html.UnescapeString(w.Body.String())
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("a name of 101 characters, weekly = %d, want 422:\n%s", w.Code, page)
	}
	if got := tickedLists(page); !cmp.Equal(got, []string{"daily-news"}) {
		t.Errorf("the form refused ticks %q, want daily-news, sent as DAILY-NEWS", got)
	}
	if !strings.Contains(page, `value="weekly" checked`) || !strings.Contains(page, "For Daily News.") {
		t.Errorf("the form refused does not offer the weekly digest it chose for Daily News, ticked:\n%s", page)
	}
}
