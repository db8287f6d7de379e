package web

import (
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// listsCell is the Lists cell of a row of the subscribers table.
func listsCell(t *testing.T, page, email string) string {
	t.Helper()
	row := regexp.MustCompile(`<tr><td data-label="Email"><a href="/admin/subscribers/\d+">` + regexp.QuoteMeta(email) + `</a></td>.*?</tr>`).FindString(page)
	cells := regexp.MustCompile(`<td[^>]*>(.*?)</td>`).FindAllStringSubmatch(row, -1)
	if len(cells) < 4 {
		t.Fatalf("no row of %s with a Lists cell:\n%s", email, page)
	}
	return html.UnescapeString(cells[3][1])
}

// The subscribers table names each reader's lists as the filter menu
// does, by their names: it showed their slugs.
func TestAdminSubscribersShowListNames(t *testing.T) {
	e := newAdminSubEnv(t)
	e.addReader("ann@example.com", "daily-news", "editors-desk")
	e.addReader("bo@example.com")
	_, page := e.a.get("/admin/subscribers")
	if got, want := listsCell(t, page, "ann@example.com"), `<span class="badge">Daily News</span> <span class="badge">Editor's Desk</span> `; got != want {
		t.Errorf("Ann's lists read %q, want %q", got, want)
	}
	if got := listsCell(t, page, "bo@example.com"); got != "" {
		t.Errorf("Bo, on no list, has lists %q", got)
	}
}

// A reader's list that has no name on the page, deleted or renamed
// between the query of the readers and that of the lists, shows as its
// slug, marked gone, not as an empty badge. The race is too narrow to
// meet through the server, so the page is rendered with such data.
func TestAdminSubscribersShowAGoneListAsItIs(t *testing.T) {
	e := newAdminSubEnv(t)
	p := &subscribersPage{Total: 1, ListNames: map[string]string{"daily-news": "Daily News"},
		Items: []*subscribers.Subscriber{{ID: 7, Email: "ann@example.com", Status: subscribers.StatusConfirmed, Lists: []string{"old-news", "daily-news"}}}}
	w := httptest.NewRecorder()
	e.srv.renderAdmin(w, httptest.NewRequest("GET", "/admin/subscribers", nil), http.StatusOK, "admin_subscribers", p)
	got := listsCell(t, w.Body.String(), "ann@example.com")
	gone := `<span class="badge" title="No list has this slug now: it was deleted or renamed as the page loaded">old-news (gone)</span> `
	if want := gone + `<span class="badge">Daily News</span> `; got != want {
		t.Errorf("lists read %q, want %q", got, want)
	}
	if strings.Contains(got, `<span class="badge"></span>`) {
		t.Error("a list shows as an empty badge")
	}
}
