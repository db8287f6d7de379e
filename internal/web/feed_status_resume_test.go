package web

import (
	"context"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// reviewAtom is the new-user review's feed: a good link, a javascript:
// link, no link and a relative link.
const reviewAtom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Harbour Gazette</title><id>urn:x</id><updated>2026-11-20T07:00:00Z</updated>
<entry><title>Good</title><id>urn:x:1</id><link href="https://news.example/good"/><updated>2026-11-20T07:00:00Z</updated></entry>
<entry><title>Script</title><id>urn:x:2</id><link href="javascript:alert(1)"/><updated>2026-11-20T07:00:00Z</updated></entry>
<entry><title>None</title><id>urn:x:3</id><updated>2026-11-20T07:00:00Z</updated></entry>
<entry><title>Rel</title><id>urn:x:4</id><link href="/posts/rel"/><updated>2026-11-20T07:00:00Z</updated></entry>
</feed>`

// The API's answer and the admin's feeds page say which items a poll
// skipped and why, and a fetch that failed in plain words.
func TestFeedStatusSaysWhatWasSkippedAndWhy(t *testing.T) {
	feeds, h, token := feedAPIServer(t)
	src, _ := testFeed(t, 200, reviewAtom)
	w := do(t, h, "POST", "/api/v1/feeds", token, `{"url":"`+src.URL+`/feed.xml","list":"news"}`)
	got := decodeFeed(t, w)
	want := "200 OK; 2 items skipped: 1 link not http(s), 1 no link"
	if w.Code != http.StatusCreated || got["last_status"] != want || got["items"] != 2.0 || got["added"] != 2.0 {
		t.Errorf("POST /api/v1/feeds = %d %s; want last_status %q, items 2, added 2", w.Code, w.Body, want)
	}
	list, _, err := feeds.List(context.Background(), 0, 0)
	if err != nil || len(list) != 1 || list[0].LastStatus != want {
		t.Errorf("stored feeds = %v, %v; want status %q", list, err, want)
	}

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := closed.Addr().String()
	closed.Close()
	w = do(t, h, "POST", "/api/v1/feeds", token, `{"url":"http://`+addr+`/feed.xml","list":"news"}`)
	got = decodeFeed(t, w)
	refused := "the connection to " + addr + " was refused"
	if w.Code != http.StatusCreated || got["last_status"] != refused || got["last_error"] != refused {
		t.Errorf("POST of a feed on a closed port = %d %s; want last_status %q", w.Code, w.Body, refused)
	}

	feedsAdmin, a := newFeedAdmin(t, true)
	for _, u := range []string{src.URL + "/feed.xml", "http://" + addr + "/feed.xml"} {
		if _, _, err := feedsAdmin.Add(context.Background(), u, "news", nil); err != nil {
			t.Fatal(err)
		}
	}
	_, body := a.get("/admin/feeds")
	body = html.UnescapeString(body)
	for _, s := range []string{want, refused, "up to 20 seconds"} {
		if !strings.Contains(body, s) {
			t.Errorf("the feeds page lacks %q:\n%s", s, body)
		}
	}
}

// switchFeed serves testRSS with the status it holds, counting fetches.
func switchFeed(t *testing.T) (*httptest.Server, *atomic.Int32, *atomic.Int32) {
	t.Helper()
	var hits, status atomic.Int32
	status.Store(http.StatusOK)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(int(status.Load()))
		w.Write([]byte(testRSS))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits, &status
}

// PATCH {"active":true} polls a paused feed in the request, as a new feed
// is, and answers its fresh status; it used to wait for the poller's next
// round.
func TestFeedAPIResumePollsAtOnce(t *testing.T) {
	_, h, token := feedAPIServer(t)
	src, hits, status := switchFeed(t)
	w := do(t, h, "POST", "/api/v1/feeds", token, `{"url":"`+src.URL+`/feed.xml","list":"news","active":false}`)
	id := int64(decodeFeed(t, w)["id"].(float64))
	path := fmt.Sprintf("/api/v1/feeds/%d", id)
	if w.Code != http.StatusCreated || hits.Load() != 0 {
		t.Fatalf("add paused = %d, %d fetches", w.Code, hits.Load())
	}
	status.Store(http.StatusInternalServerError)
	w = do(t, h, "PATCH", path, token, `{"active":true}`)
	got := decodeFeed(t, w)
	if w.Code != 200 || hits.Load() != 1 || got["last_status"] != "the server answered 500 Internal Server Error" || got["last_polled_at"] == nil {
		t.Errorf("resume = %d %s, %d fetches; want it polled now, with the 500", w.Code, w.Body, hits.Load())
	}
	status.Store(http.StatusOK)
	do(t, h, "PATCH", path, token, `{"active":false}`)
	w = do(t, h, "PATCH", path, token, `{"active":true}`)
	got = decodeFeed(t, w)
	if w.Code != 200 || hits.Load() != 2 || got["last_status"] != "200 OK" || got["added"] != 2.0 || got["items"] != 2.0 {
		t.Errorf("second resume = %d %s, %d fetches; want 200 OK, 2 added", w.Code, w.Body, hits.Load())
	}
	if w = do(t, h, "GET", path, token, ""); decodeFeed(t, w)["last_status"] != "200 OK" {
		t.Errorf("GET after the resume = %s", w.Body)
	}
}

// The admin's resume button polls the feed at once and says how that
// went.
func TestAdminFeedResumePollsAtOnce(t *testing.T) {
	feeds, a := newFeedAdmin(t, true)
	src, hits, status := switchFeed(t)
	active := false
	fd, _, err := feeds.Add(context.Background(), src.URL+"/feed.xml", "news", &active)
	if err != nil || hits.Load() != 0 {
		t.Fatalf("add paused = %v, %d fetches", err, hits.Load())
	}
	token := a.csrfOf("/admin/feeds")
	resume := fmt.Sprintf("/admin/feeds/%d/resume", fd.ID)
	pause := fmt.Sprintf("/admin/feeds/%d/pause", fd.ID)

	status.Store(http.StatusBadGateway)
	resp := a.post(resume, url.Values{"csrf": {token}})
	loc := resp.Header.Get("Location")
	checkFlashRedirect(t, "resume of a failing feed", resp, "/admin/feeds", "feed-resume-failed")
	if hits.Load() != 1 {
		t.Errorf("resume of a failing feed: %d fetches; want it polled now", hits.Load())
	}
	_, body := a.get(loc)
	body = html.UnescapeString(body)
	for _, s := range []string{"Feed resumed, but its poll failed", "the server answered 502 Bad Gateway"} {
		if !strings.Contains(body, s) {
			t.Errorf("the feeds page after the resume lacks %q:\n%s", s, body)
		}
	}

	status.Store(http.StatusOK)
	a.post(pause, url.Values{"csrf": {token}})
	resp = a.post(resume, url.Values{"csrf": {token}})
	loc = resp.Header.Get("Location")
	checkFlashRedirect(t, "resume", resp, "/admin/feeds", "feed-resumed")
	if hits.Load() != 2 {
		t.Errorf("resume: %d fetches; want it polled now", hits.Load())
	}
	_, body = a.get(loc)
	if !strings.Contains(body, "Feed resumed and polled") || !strings.Contains(body, `<td data-label="Items">2</td>`) {
		t.Errorf("the feeds page after the resume lacks the flash or the 2 items:\n%s", body)
	}
}
