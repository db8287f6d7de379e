package articles

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// A new feed whose first poll shows the URL is no feed (a 4xx, a web page,
// a document that is no feed) is not added: Add refuses the URL in words
// that say what came back. It used to be added, and polled every 15
// minutes, failing each time, until someone deleted it. A failure that
// may pass (a 5xx, a 429, a refused connection) still adds the feed, with
// the failure in its status.
func TestFeedNotAddedWhenItsFirstPollShowsItIsNoFeed(t *testing.T) {
	page := `<!doctype html><html><head><title>Harbour Gazette</title></head><body><p>News.</p></body></html>`
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + closed.Addr().String() + "/feed.xml"
	closed.Close()
	tests := []struct {
		name, contentType, body string
		status                  int
		url                     string // instead of the test server's
		refused                 string // the refusal's start; "" adds the feed
		lastError               string // the added feed's
	}{
		{name: "404", status: 404, body: "gone",
			refused: "the URL answered 404 Not Found: check that it is the feed's own URL, as the site links it (RSS or Atom)"},
		{name: "410", status: 410, body: "gone", refused: "the URL answered 410 Gone: check"},
		{name: "403", status: 403, body: "no", refused: "the URL answered 403 Forbidden: the site does not let Bulletin read it"},
		{name: "web page", status: 200, contentType: "text/html", body: page,
			refused: "the URL is a web page, not an RSS or Atom feed: add the address of the site's feed"},
		{name: "not a feed", status: 200, contentType: "text/plain", body: "hello", refused: "the answer is not an RSS or Atom feed"},
		{name: "500", status: 500, body: "boom", lastError: "the server answered 500 Internal Server Error"},
		{name: "429", status: 429, body: "slow down", lastError: "the server answered 429 Too Many Requests"},
		{name: "connection refused", url: closedURL, lastError: "the connection to " + closed.Addr().String() + " was refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			feeds := newErrorFeeds(t)
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			t.Cleanup(srv.Close)
			u := tt.url
			if u == "" {
				u = srv.URL + "/feed.xml"
			}
			fd, created, err := feeds.Add(context.Background(), u, "news", nil)
			list, _, lerr := feeds.List(context.Background(), 0, 0)
			if lerr != nil {
				t.Fatal(lerr)
			}
			if tt.refused != "" {
				msg := bulletin.ErrorFields(err)["url"]
				if bulletin.ErrorCode(err) != bulletin.EINVALID || !strings.HasPrefix(msg, tt.refused) || len(list) != 0 {
					t.Errorf("Add = %v, url %q, %d feeds kept; want it refused with %q…, no feed kept", err, msg, len(list), tt.refused)
				}
				if tt.url == "" && hits.Load() != 1 {
					t.Errorf("%d fetches, want the first poll's", hits.Load())
				}
				return
			}
			if err != nil || !created || fd.LastError != tt.lastError || len(list) != 1 || !list[0].Active {
				t.Errorf("Add = %+v, %v, %v; feeds %d; want it added, active, with error %q", fd, created, err, len(list), tt.lastError)
			}
		})
	}
}

// A feed there already is not refused when its poll fails: it worked
// before, and only its status tells the news. An address that failed is
// added once it serves a feed.
func TestFeedRefusalOnlyOfNewFeeds(t *testing.T) {
	feeds := newErrorFeeds(t)
	ctx := context.Background()
	var status atomic.Int32
	status.Store(http.StatusNotFound)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(int(status.Load()))
		w.Write([]byte(twoItems))
	}))
	t.Cleanup(srv.Close)
	if _, _, err := feeds.Add(ctx, srv.URL+"/feed.xml", "news", nil); bulletin.ErrorCode(err) != bulletin.EINVALID {
		t.Fatalf("Add of a 404 = %v, want it refused", err)
	}
	status.Store(http.StatusOK)
	fd, created, err := feeds.Add(ctx, srv.URL+"/feed.xml", "news", nil)
	if err != nil || !created || fd.Added != 2 {
		t.Fatalf("Add once it serves a feed = %+v, %v, %v; want it added with 2 items", fd, created, err)
	}
	status.Store(http.StatusNotFound)
	again, created, err := feeds.Add(ctx, srv.URL+"/feed.xml", "news", nil)
	if err != nil || created || again.ID != fd.ID || again.LastStatus != "the server answered 404 Not Found" {
		t.Errorf("Add of the feed there already, now 404 = %+v, %v, %v; want it kept with the 404 in its status", again, created, err)
	}
	if _, err := feeds.Get(ctx, fd.ID); err != nil {
		t.Errorf("the feed there already was deleted: %v", err)
	}
}

// Typed without a scheme, the address refused names the URL fetched: the
// form keeps what was typed, which is not quite that.
func TestFeedRefusalNamesTheURLTriedWithHTTPS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }))
	t.Cleanup(srv.Close)
	feeds := tlsFeeds(t, srv)
	typed := strings.TrimPrefix(srv.URL, "https://") + "/missing.xml"
	_, _, err := feeds.Add(context.Background(), typed, "news", nil)
	msg := bulletin.ErrorFields(err)["url"]
	if want := "(Bulletin tried " + srv.URL + "/missing.xml)"; !strings.HasPrefix(msg, "the URL answered 404 Not Found") || !strings.HasSuffix(msg, want) {
		t.Errorf("Add(%q) = %v, url %q; want the 404 and %q", typed, err, msg, want)
	}
}
