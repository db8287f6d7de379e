package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The admin's list page, its save and its delete read the slug in any
// case, as the list's report pages do (storedSlug): /admin/lists/NEWS is
// news's form, posting to news's own slug. All three were a 404 for a
// slug the reports and the API took. A slug that names no list is still
// a 404.
func TestAdminListFormsReadTheSlugInAnyCase(t *testing.T) {
	s, a, _ := fullServer(t)
	a.login("correct horse battery")
	csrf := a.csrfOf("/admin/lists")
	resp, body := a.get("/admin/lists/NEWS")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `action="/admin/lists/news"`) ||
		!strings.Contains(body, `action="/admin/lists/news/delete"`) {
		t.Errorf("GET /admin/lists/NEWS = %d, want 200, news's forms posting to /admin/lists/news:\n%.3000s", resp.StatusCode, body)
	}
	resp = a.post("/admin/lists/News", newListForm(csrf, "Harbour News", "news", false))
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/lists/news") {
		t.Errorf("POST /admin/lists/News = %d to %q, want 303 to news's page", resp.StatusCode, loc)
	}
	if l, err := s.Subscribers.ListBySlug(context.Background(), "news"); err != nil || l.Name != "Harbour News" {
		t.Errorf("news after its save as News: %+v, %v; want it named Harbour News", l, err)
	}
	for _, path := range []string{"/admin/lists/NOPE", "/admin/lists/NOPE/delete"} {
		var resp *http.Response
		if strings.HasSuffix(path, "/delete") {
			resp = a.post(path, url.Values{"csrf": {csrf}, "confirm": {"yes"}})
		} else {
			resp, _ = a.get(path)
		}
		if code := resp.StatusCode; code != http.StatusNotFound {
			t.Errorf("%s = %d, want 404", path, code)
		}
	}
	resp = a.post("/admin/lists/%20NEWS%20/delete", url.Values{"csrf": {csrf}, "confirm": {"yes"}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/lists") {
		t.Errorf("POST /admin/lists/%%20NEWS%%20/delete = %d to %q, want 303 to the lists", resp.StatusCode, loc)
	}
	if _, err := s.Subscribers.ListBySlug(context.Background(), "news"); err == nil {
		t.Error("news is still there after its delete as NEWS")
	}
}
