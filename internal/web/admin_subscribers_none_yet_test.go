package web

import (
	"strings"
	"testing"
)

// The subscribers page of an install with no reader says so and points
// to adding or importing them, where it said "No subscriber matches." of
// no search or filter; a search or a filter that finds nobody still
// says that.
func TestAdminSubscribersNoneYet(t *testing.T) {
	e := newAdminSubEnv(t)
	_, body := e.a.get("/admin/subscribers")
	want := `No subscribers yet: <a href="/admin/subscribers/new">add one</a> or <a href="/admin/subscribers/import">import a CSV file</a>.`
	if !strings.Contains(body, want) || strings.Contains(body, "No subscriber matches.") {
		t.Errorf("with no reader, the page does not say %q:\n%s", want, body)
	}
	for _, query := range []string{"q=ann", "list=daily-news", "status=bounced"} {
		_, body := e.a.get("/admin/subscribers?" + query)
		if !strings.Contains(body, "No subscriber matches.") || strings.Contains(body, "No subscribers yet") {
			t.Errorf("?%s with no reader does not say that no subscriber matches:\n%s", query, body)
		}
	}
}
