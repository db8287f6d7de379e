package articles_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

const rss = `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Harbour Gazette</title><link>https://news.example/</link>
<item><title>Bridge reopens</title><link>https://news.example/bridge</link>
<description>&lt;p&gt;The &lt;b&gt;bridge&lt;/b&gt; is open again.&lt;/p&gt;</description>
<author>desk@news.example (Maren Holt)</author><pubDate>Fri, 20 Nov 2026 07:00:00 GMT</pubDate></item>
<item><title>Storm warning</title><link>https://news.example/storm</link><pubDate>Thu, 19 Nov 2026 07:00:00 GMT</pubDate></item>
<item><title>Bridge reopens (again)</title><link>https://news.example/bridge</link></item>
<item><title>No link</title></item>
</channel></rss>`

func newFeedEnv(t *testing.T) (*sqlite.DB, *articles.Store) {
	t.Helper()
	db := sqlitetest.Open(t)
	if _, err := db.Write.Exec(`INSERT INTO lists (slug, name, created_at) VALUES ('news', 'News', ?)`, time.Now()); err != nil {
		t.Fatal(err)
	}
	return db, articles.NewStore(db)
}

// feedServer serves rss on 127.0.0.1 with an ETag, answering 304 to it.
func feedServer(t *testing.T, body string) (*httptest.Server, *atomic.Int32, *atomic.Int32) {
	var hits, notModified atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("If-None-Match") == `"v1"` {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits, &notModified
}

func TestFeedPoll(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	srv, hits, notModified := feedServer(t, rss)
	feeds := articles.NewFeeds(db, store, true) // the test server is on loopback

	fd, created, err := feeds.Add(ctx, srv.URL+"/feed.xml", "news", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !created || fd.Added != 2 || fd.LastError != "" || fd.LastPolledAt == nil {
		t.Fatalf("first add = %+v (created %v), want 2 articles added", fd, created)
	}
	items, _, err := store.List(ctx, articles.Filter{List: "news"})
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ Title, URL, Summary, Author string }
	var got []row
	for _, a := range items {
		got = append(got, row{a.Title, a.URL, a.Summary, a.Author})
	}
	want := []row{
		{"Bridge reopens (again)", "https://news.example/bridge", "", ""},
		{"Storm warning", "https://news.example/storm", "", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("articles (-want +got):\n%s", diff)
	}

	fd, created, err = feeds.Add(ctx, srv.URL+"/feed.xml", "news", nil)
	if err != nil || created || fd.Added != 0 {
		t.Fatalf("second add = %+v, %v, %v; want the same feed, nothing added", fd, created, err)
	}
	if hits.Load() != 2 || notModified.Load() != 1 {
		t.Errorf("%d fetches, %d not modified; want the second to send the ETag", hits.Load(), notModified.Load())
	}
	if n, err := feeds.PollDue(ctx); err != nil || n != 0 || hits.Load() != 2 {
		t.Errorf("PollDue right after a poll fetched (%d, %v, hits %d); want nothing due", n, err, hits.Load())
	}
}

func TestFeedTooLarge(t *testing.T) {
	db, store := newFeedEnv(t)
	srv, _, _ := feedServer(t, rss)
	feeds := articles.NewFeeds(db, store, true)
	feeds.MaxBytes = 100
	_, _, err := feeds.Add(context.Background(), srv.URL, "news", nil)
	if msg := bulletin.ErrorFields(err)["url"]; !strings.HasPrefix(msg, "the feed is over 100 bytes") {
		t.Errorf("Add = %v, url %q; want a new feed refused for its size", err, msg)
	}
	fd := pollKept(t, feeds, srv.URL)
	if fd.Added != 0 || !strings.HasPrefix(fd.LastError, "the feed is over 100 bytes") {
		t.Errorf("feed = %+v, want it refused for its size", fd)
	}
}

func TestFeedRefusesPrivateAddresses(t *testing.T) {
	db, store := newFeedEnv(t)
	srv, hits, _ := feedServer(t, rss)
	feeds := articles.NewFeeds(db, store, false)
	for _, u := range []string{srv.URL, "http://localhost:1/feed", "http://[::1]:1/", "http://10.0.0.1/feed", "ftp://news.example/feed", "http://user:pw@news.example/"} {
		_, _, err := feeds.Add(context.Background(), u, "news", nil)
		if bulletin.ErrorCode(err) != bulletin.EINVALID {
			t.Errorf("Add(%s) = %v, want a validation error", u, err)
		}
	}
	// The refusal of a private address says how to allow one.
	_, _, err := feeds.Add(context.Background(), srv.URL, "news", nil)
	if msg := bulletin.ErrorFields(err)["url"]; !strings.Contains(msg, "BULLETIN_ALLOW_PRIVATE_FEEDS=1") {
		t.Errorf("refusal of %s: %q, want it to name BULLETIN_ALLOW_PRIVATE_FEEDS", srv.URL, msg)
	}
	if hits.Load() != 0 {
		t.Errorf("the refused feed was fetched %d times", hits.Load())
	}
	// A feed stored while private feeds were allowed is refused at dial time.
	if _, _, err := articles.NewFeeds(db, store, true).Add(context.Background(), srv.URL, "news", nil); err != nil {
		t.Fatal(err)
	}
	before := hits.Load()
	feeds.Interval = 0
	if _, err := feeds.PollDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != before {
		t.Errorf("a poll without AllowPrivate reached the loopback server")
	}
	var lastError string
	db.Read.QueryRow(`SELECT last_error FROM feeds`).Scan(&lastError)
	if !strings.Contains(lastError, "BULLETIN_ALLOW_PRIVATE_FEEDS=1") {
		t.Errorf("error recorded for the refused dial: %q, want it to name BULLETIN_ALLOW_PRIVATE_FEEDS", lastError)
	}
}
