package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The admin's list report and its CSV read the slug in any case, as the
// API's report does (storedSlug): /admin/lists/NEWS/report is news's
// page, linking to news's CSV, and /admin/lists/News/report.csv is the
// CSV of /admin/lists/news/report.csv. Both were a 404 for a slug every
// other place took. A slug that names no list is still a 404, and a bad
// ?days is still a 422 before the list is looked up.
func TestAdminListReportReadsTheSlugInAnyCase(t *testing.T) {
	a, _, _ := reportServer(t)
	a.login("correct horse battery")
	for _, page := range []string{"/admin/lists/NEWS/report", "/admin/lists/News/report?days=7", "/admin/lists/%20news%20/report"} {
		resp, body := a.get(page)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d, want 200, news's report", page, resp.StatusCode)
			continue
		}
		for _, want := range []string{"Bridge reopens", `href="/admin/lists/news/report.csv?days=`} {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s lacks %s", page, want)
			}
		}
	}
	want := getCSV(t, a, "/admin/lists/news/report.csv", "")
	if diff := cmp.Diff(want, getCSV(t, a, "/admin/lists/News/report.csv", "")); diff != "" {
		t.Errorf("/admin/lists/News/report.csv against news's (-want +got):\n%s", diff)
	}
	for page, code := range map[string]int{
		"/admin/lists/NOPE/report":        http.StatusNotFound,
		"/admin/lists/NOPE/report.csv":    http.StatusNotFound,
		"/admin/lists/NOPE/report?days=x": http.StatusUnprocessableEntity,
	} {
		if resp, _ := a.get(page); resp.StatusCode != code {
			t.Errorf("GET %s = %d, want %d", page, resp.StatusCode, code)
		}
	}
}
