package web

import (
	"net/http"
	"testing"
)

// POST /api/v1/feeds with "active":false adds the feed paused (SPEC §3:
// {"url","list","active"}): it is stored so and not fetched. The same
// POST with "active":true resumes it, and polls it at once.
func TestFeedCreatedPausedStaysPaused(t *testing.T) {
	_, h, token := feedAPIServer(t)
	src, hits := testFeed(t, 200, testRSS)
	body := `{"url":"` + src.URL + `/feed.xml","list":"news","active":false}`
	w := do(t, h, "POST", "/api/v1/feeds", token, body)
	got := decodeFeed(t, w)
	if w.Code != http.StatusCreated || got["active"] != false || hits.Load() != 0 {
		t.Fatalf("POST /api/v1/feeds with \"active\":false = %d active=%v, fetched %d times; want 201, active false, not fetched", w.Code, got["active"], hits.Load())
	}
	w = do(t, h, "GET", "/api/v1/feeds", token, "")
	if w.Code != http.StatusOK || hits.Load() != 0 {
		t.Errorf("GET /api/v1/feeds = %d, feed fetched %d times", w.Code, hits.Load())
	}
	w = do(t, h, "POST", "/api/v1/feeds", token, `{"url":"`+src.URL+`/feed.xml","list":"news","active":true}`)
	got = decodeFeed(t, w)
	if w.Code != http.StatusOK || got["active"] != true || hits.Load() != 1 {
		t.Errorf("POST of the paused feed with \"active\":true = %d active=%v, fetched %d times; want 200, active, fetched once", w.Code, got["active"], hits.Load())
	}
}
