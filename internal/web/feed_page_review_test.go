package web

import (
	"net/url"
	"strings"
	"testing"
)

// The feeds page says that a feed's back issues are stored but not mailed,
// before the publisher adds one and wonders why the next digest lacks
// last month's posts.
func TestFeedsPageSaysBackIssuesAreNotMailed(t *testing.T) {
	_, a := newFeedAdmin(t, true)
	good, _ := testFeed(t, 200, testRSS)
	resp, body := a.get("/admin/feeds")
	if resp.StatusCode != 200 || !strings.Contains(body, "older ones are stored, not mailed") {
		t.Errorf("feeds page (%d) does not say what becomes of a new feed's older items:\n%s", resp.StatusCode, body)
	}
	a.post("/admin/feeds", url.Values{"csrf": {a.csrfOf("/admin/feeds")}, "url": {good.URL + "/feed.xml"}, "list": {"news"}})
	if _, body = a.get("/admin/feeds"); !strings.Contains(body, "stored as an article but left out of digests") || !strings.Contains(body, good.URL) {
		t.Errorf("feeds page with a feed does not say what becomes of older items:\n%s", body)
	}
	// A status may hold a long URL (where the feed moved to, the feed
	// a page names): unbroken, it made the table 881 px wide in a 360 px
	// card on a phone.
	if !strings.Contains(body, `<td data-label="Last status" style="overflow-wrap:anywhere">`) {
		t.Errorf("the last status does not wrap long words:\n%s", body)
	}
}
