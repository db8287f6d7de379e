package articles_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// What a publisher sees when the URL is not a feed Bulletin can take. The
// usual slip is the site's own address: its home page used to give "the
// feed does not parse: failed to detect feed type", which names neither
// the mistake nor the fix, though the page names its feed. A feed over
// the size limit gave "feed is over 5242880 bytes".
func TestFeedStatusSaysWhatIsWrongAndWhatToDo(t *testing.T) {
	page := `<!DOCTYPE html><html><head><title>Quay Courier</title>
<link rel="stylesheet" href="/site.css">
<link rel="alternate" type="application/rss+xml" title="Quay Courier" href="/feed/">
</head><body><p>Welcome.</p></body></html>`
	tests := []struct {
		name        string
		contentType string
		body        string
		maxBytes    int64
		want        string // the status, with SRV for the server's URL
	}{
		{"home page naming its feed", "text/html; charset=utf-8", page, 0,
			"the URL is a web page, not a feed; the page names its feed: add SRV/feed/ instead"},
		{"page without a feed", "text/html", "<!doctype html><html><body><p>Hello</p></body></html>", 0,
			"the URL is a web page, not an RSS or Atom feed: add the address of the site's feed (often linked as RSS, ending in /feed or .xml)"},
		{"page served as text", "text/plain", "\ufeff <html><head><link rel=\"alternate\" type=\"application/atom+xml\" href=\"https://quay.example/atom.xml\"></head></html>", 0,
			"the URL is a web page, not a feed; the page names its feed: add https://quay.example/atom.xml instead"},
		{"not a feed at all", "text/plain", "hello, world", 0,
			"the answer is not an RSS or Atom feed: check the feed's URL"},
		{"too large", "application/rss+xml", rss, 64,
			"the feed is over 64 bytes, the most Bulletin reads: have the site list fewer items, or shorter ones"},
		{"too large, in MB", "application/rss+xml", rss + strings.Repeat(" ", 1<<20), 1 << 20,
			"the feed is over 1 MB, the most Bulletin reads: have the site list fewer items, or shorter ones"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, store := newFeedEnv(t)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.Write([]byte(tt.body))
			}))
			t.Cleanup(srv.Close)
			feeds := articles.NewFeeds(db, store, true) // the test server is on loopback
			if tt.maxBytes > 0 {
				feeds.MaxBytes = tt.maxBytes
			}
			// A new feed is not added: the refusal says why in the
			// same words.
			want := strings.ReplaceAll(tt.want, "SRV", srv.URL)
			_, _, err := feeds.Add(context.Background(), srv.URL+"/", "news", nil)
			if msg := bulletin.ErrorFields(err)["url"]; msg != want {
				t.Errorf("Add = %v, url %q; want it refused with %q", err, msg, want)
			}
			fd := pollKept(t, feeds, srv.URL+"/")
			if fd.LastStatus != want || fd.LastError != want || fd.Added != 0 {
				t.Errorf("status %q, error %q, added %d;\nwant %q, an error, nothing added", fd.LastStatus, fd.LastError, fd.Added, want)
			}
		})
	}
}

// A feed whose URL redirects for good (301 or 308) works while the site
// keeps the redirect; its status said only "200 OK", so the publisher
// learnt of the move when the old URL stopped working. A passing redirect
// (302, 307) is no news.
func TestFeedStatusNamesAPermanentMove(t *testing.T) {
	tests := []struct {
		name  string
		codes []int // the redirects from /feed.xml on
		want  string
	}{
		{"moved for good", []int{301}, "200 OK; the feed moved permanently to SRV/r1: add that URL as a feed and delete this one"},
		{"moved twice for good", []int{308, 301}, "200 OK; the feed moved permanently to SRV/r2: add that URL as a feed and delete this one"},
		{"moved for now", []int{302}, "200 OK"},
		{"for good, then for now", []int{301, 307}, "200 OK"},
		{"not moved", nil, "200 OK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, store := newFeedEnv(t)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				step := 0
				if r.URL.Path != "/feed.xml" {
					fmt.Sscanf(r.URL.Path, "/r%d", &step)
				}
				if step < len(tt.codes) {
					http.Redirect(w, r, fmt.Sprintf("/r%d", step+1), tt.codes[step])
					return
				}
				w.Header().Set("Content-Type", "application/rss+xml")
				w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Quay</title><link>https://quay.example/</link>
<item><title>Ferry</title><link>https://quay.example/ferry</link></item></channel></rss>`))
			}))
			t.Cleanup(srv.Close)
			feeds := articles.NewFeeds(db, store, true) // the test server is on loopback
			fd, _, err := feeds.Add(context.Background(), srv.URL+"/feed.xml", "news", nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.ReplaceAll(tt.want, "SRV", srv.URL); fd.LastStatus != want || fd.LastError != "" || fd.Added != 1 {
				t.Errorf("status %q, error %q, added %d; want %q, no error, 1 added", fd.LastStatus, fd.LastError, fd.Added, want)
			}
		})
	}
}
