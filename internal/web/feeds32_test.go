package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A feed whose polls keep failing is polled less often; the feeds page
// says how many polls failed in a row and when it is tried next, and its
// Poll now button polls it at once: once the site works again that clears
// the failures. The page showed the last error
// alone, and the feed was polled every 15 minutes for ever.
func TestFeedsPageShowsFailingFeed(t *testing.T) {
	feeds, a := newFeedAdmin(t, true)
	ctx := context.Background()
	var status, hits atomic.Int32
	status.Store(http.StatusInternalServerError)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if code := int(status.Load()); code != http.StatusOK {
			http.Error(w, "down", code)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(testRSS))
	}))
	t.Cleanup(site.Close)
	good, _ := testFeed(t, 200, testRSS)

	token := a.csrfOf("/admin/feeds")
	checkFlashRedirect(t, "add of a failing feed", a.post("/admin/feeds", url.Values{"csrf": {token}, "url": {site.URL + "/feed.xml"}, "list": {"news"}}), "/admin/feeds", "feed-failed")
	checkFlashRedirect(t, "add of a good feed", a.post("/admin/feeds", url.Values{"csrf": {token}, "url": {good.URL + "/feed.xml"}, "list": {"news"}}), "/admin/feeds", "feed-added")
	list, _, err := feeds.List(ctx, 0, 0)
	if err != nil || len(list) != 2 {
		t.Fatalf("feeds = %v, %v", list, err)
	}
	id, goodID := list[0].ID, list[1].ID
	// Two more polls by the poller, each failing: three in a row.
	for range 2 {
		fd, err := feeds.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		feeds.Poll(ctx, fd)
	}
	fd, err := feeds.Get(ctx, id)
	if err != nil || fd.Failures != 3 || fd.NextPollAt == nil || !fd.NextPollAt.Equal(fd.LastPolledAt.Add(time.Hour)) {
		t.Fatalf("after three failures: %+v, %v; want the next poll an hour after the last", fd, err)
	}

	_, body := a.get("/admin/feeds")
	text := html.UnescapeString(body)
	pollNow := fmt.Sprintf(`<form class="inline" method="post" action="/admin/feeds/%d/resume"><input type="hidden" name="csrf" value="%s"><input type="hidden" name="poll" value="now"><button type="submit">Poll now</button></form>`, id, token)
	for _, want := range []string{
		"the server answered 500 Internal Server Error",
		"Failed 3 times in a row; next try " + fd.NextPollAt.Format("2 January 2006, 15:04 UTC"),
		pollNow,
		"A feed whose polls keep failing is polled less often while it fails",
		`<a href="/admin/lists/news">News</a>`, // the list by its name, not its slug
	} {
		if !strings.Contains(text, want) {
			t.Errorf("feeds page lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, fmt.Sprintf(`action="/admin/feeds/%d/resume"`, goodID)) || strings.Count(body, "Poll now</button>") != 1 {
		t.Errorf("a feed that works has a Poll now button:\n%s", body)
	}

	// Poll now, the site still down: polled at once, tried again in 15
	// minutes.
	before := hits.Load()
	resp := a.post(fmt.Sprintf("/admin/feeds/%d/resume", id), url.Values{"csrf": {token}, "poll": {"now"}})
	fd, _ = feeds.Get(ctx, id)
	checkFlashRedirect(t, "poll now of the failing site", resp, "/admin/feeds", "feed-poll-failed")
	if hits.Load() != before+1 || fd.Failures != 4 ||
		!fd.NextPollAt.Equal(fd.LastPolledAt.Add(15*time.Minute)) {
		t.Errorf("poll now of the failing site: to %q, %d requests, %d failures, next %v after %v; want one request, 4 failures, 15 minutes on",
			resp.Header.Get("Location"), hits.Load()-before, fd.Failures, fd.NextPollAt, fd.LastPolledAt)
	}

	// The site works again: Poll now reads it and clears the failures.
	status.Store(http.StatusOK)
	resp = a.post(fmt.Sprintf("/admin/feeds/%d/resume", id), url.Values{"csrf": {token}, "poll": {"now"}})
	fd, _ = feeds.Get(ctx, id)
	checkFlashRedirect(t, "poll now of the mended site", resp, "/admin/feeds", "feed-polled")
	if fd.Failures != 0 || fd.NextPollAt != nil || fd.LastStatus != "200 OK" {
		t.Errorf("poll now of the mended site: to %q, %+v", resp.Header.Get("Location"), fd)
	}
	_, body = a.get("/admin/feeds")
	if strings.Contains(body, "Poll now</button>") || strings.Contains(body, "Failed ") {
		t.Errorf("the mended feed still shows as failing:\n%s", body)
	}
}

// The API gives a failing feed's failures in a row and its next poll, as
// internal/web/openapi.json says, and null for a feed that works;
// resuming a failing feed that is active polls it at once.
func TestFeedAPIShowsFailures(t *testing.T) {
	_, h, token := feedAPIServer(t)
	site, hits := testFeed(t, http.StatusServiceUnavailable, "busy")
	good, _ := testFeed(t, 200, testRSS)
	w := do(t, h, "POST", "/api/v1/feeds", token, `{"url":"`+site.URL+`/feed.xml","list":"news"}`)
	if w.Code != 201 {
		t.Fatalf("add: %d %s", w.Code, w.Body)
	}
	got := decodeFeed(t, w)
	if got["failures"] != 1.0 || got["next_poll_at"] == nil {
		t.Errorf("a feed whose first poll failed: failures %v, next_poll_at %v; want 1 and a time", got["failures"], got["next_poll_at"])
	}
	path := fmt.Sprintf("/api/v1/feeds/%.0f", got["id"])
	before := hits.Load()
	if w = do(t, h, "PATCH", path, token, `{"active":true}`); w.Code != 200 || hits.Load() != before+1 || decodeFeed(t, w)["failures"] != 2.0 {
		t.Errorf("resume of a failing active feed: %d %s, %d requests; want it polled, 2 failures", w.Code, w.Body, hits.Load()-before)
	}
	w = do(t, h, "POST", "/api/v1/feeds", token, `{"url":"`+good.URL+`/feed.xml","list":"news"}`)
	if got = decodeFeed(t, w); w.Code != 201 || got["failures"] != 0.0 || got["next_poll_at"] != nil {
		t.Errorf("a feed that works: %d, failures %v, next_poll_at %v; want 0 and null", w.Code, got["failures"], got["next_poll_at"])
	}
	if _, ok := got["next_poll_at"]; !ok {
		t.Error("a feed that works has no next_poll_at; the API document requires it, null")
	}
}
