package web

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// An archived issue has one address, /archive/ID as the archive links
// it. The same id written otherwise, with leading zeros or a plus, used
// to show the issue as a page of its own; it is redirected (301) to the
// issue's address, its query kept, so that a link shared that way keeps
// working. An id of no issue so written is a 404 without a redirect, and
// what is no id at all is a 404 as before.
func TestArchiveIssueRedirectsToItsOneAddress(t *testing.T) {
	db, h, _ := digestServer(t)
	id := pastIssue(t, db, "Ferry timetable", "The ferry runs again.", "sent", time.Now().Add(-time.Hour))
	n := strconv.FormatInt(id, 10)
	if w := do(t, h, "GET", "/archive/"+n, "", ""); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Ferry timetable") {
		t.Fatalf("GET /archive/%s = %d, want 200 with the issue", n, w.Code)
	}
	for _, tc := range []struct{ path, to string }{
		{"/archive/0" + n, "/archive/" + n},
		{"/archive/000" + n, "/archive/" + n},
		{"/archive/+" + n, "/archive/" + n},
		{"/archive/%30" + n, "/archive/" + n},
		{"/archive/0" + n + "?utm_source=share", "/archive/" + n + "?utm_source=share"},
	} {
		w := do(t, h, "GET", tc.path, "", "")
		if w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != tc.to {
			t.Errorf("GET %s = %d to %q, want 301 to %s", tc.path, w.Code, w.Header().Get("Location"), tc.to)
		}
	}
	for _, path := range []string{"/archive/0999", "/archive/0", "/archive/00", "/archive/-" + n, "/archive/-0" + n, "/archive/0x" + n, "/archive/" + n + "a"} {
		w := do(t, h, "GET", path, "", "")
		if w.Code != http.StatusNotFound || w.Header().Get("Location") != "" {
			t.Errorf("GET %s = %d to %q, want 404 and no redirect", path, w.Code, w.Header().Get("Location"))
		}
	}
}
