package campaigns_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// reviewFeed is an RSS feed of items, each a title and a publication time
// (none when zero), linked under quay.example.
func reviewFeed(items ...reviewItem) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Quay Courier</title><link>https://quay.example/</link>`)
	for _, it := range items {
		fmt.Fprintf(&b, `<item><title>%s</title><link>https://quay.example/%s</link><description>About %s.</description>`,
			it.title, strings.ReplaceAll(strings.ToLower(it.title), " ", "-"), it.title)
		if !it.at.IsZero() {
			fmt.Fprintf(&b, `<pubDate>%s</pubDate>`, it.at.Format(time.RFC1123Z))
		}
		b.WriteString(`</item>`)
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

type reviewItem struct {
	title string
	at    time.Time
}

// digestText is the text part of digest id's body.
func (e *digestEnv) digestText(t *testing.T, id int64) string {
	t.Helper()
	var text string
	if err := e.db.Read.QueryRow(`SELECT body_text FROM campaigns WHERE id = ?`, id).Scan(&text); err != nil {
		t.Fatal(err)
	}
	return text
}

// A feed added to a list brings the site's back issues with it: a feed
// carries its last ten or fifty items, some of them months old. They
// became articles, and the list's next digest mailed them all to every
// reader as "new stories" (the first digest takes whatever was added in
// its week). Items published more than a week before the poll that first
// sees them, and undated ones at the feed's first poll, are stored but
// left out of digests; what the feed brings later is news as before, and
// goes out once.
func TestDigestLeavesOutANewFeedsBackIssues(t *testing.T) {
	e := newDigestEnv(t)
	ctx := context.Background()
	news := e.list(t, "news", "daily", true)
	e.reader(t, "r@x.example", "confirmed", "daily", news)
	now := time.Now()
	var body atomic.Value
	body.Store(reviewFeed(reviewItem{"Fresh news", now.Add(-time.Hour)}, reviewItem{"Undated back issue", time.Time{}},
		reviewItem{"Back issue", now.Add(-60 * 24 * time.Hour)}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, body.Load())
	}))
	t.Cleanup(srv.Close)
	store := articles.NewStore(e.db)
	feeds := articles.NewFeeds(e.db, store, true) // the test server is on loopback

	fd, _, err := feeds.Add(ctx, srv.URL+"/feed.xml", "news", nil)
	if err != nil || fd.Added != 3 {
		t.Fatalf("add feed: %+v, %v; want its 3 items stored", fd, err)
	}
	d, err := e.svc.RunDigest(ctx, "news")
	if err != nil {
		t.Fatal(err)
	}
	if d.Articles != 1 {
		t.Errorf("first digest has %d articles, want 1 (the fresh one)", d.Articles)
	}
	if d.ID != 0 {
		text := e.digestText(t, d.ID)
		for _, old := range []string{"Back issue", "Undated back issue"} {
			if strings.Contains(text, old) {
				t.Errorf("first digest mails %q, an item the feed had before it was added:\n%s", old, text)
			}
		}
	}

	// The next poll brings a new item with a date and one without: both
	// are news, and go out once.
	body.Store(reviewFeed(reviewItem{"Later dated", time.Now()}, reviewItem{"Later undated", time.Time{}},
		reviewItem{"Fresh news", now.Add(-time.Hour)}, reviewItem{"Undated back issue", time.Time{}},
		reviewItem{"Back issue", now.Add(-60 * 24 * time.Hour)}))
	if fd, err = feeds.Get(ctx, fd.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := feeds.Poll(ctx, fd); err != nil || n != 2 {
		t.Fatalf("second poll added %d (%v), want 2", n, err)
	}
	d, err = e.svc.RunDigest(ctx, "news")
	if err != nil {
		t.Fatal(err)
	}
	if d.ID == 0 || d.Articles != 2 {
		t.Fatalf("second digest: %+v, want the 2 later items", d)
	}
	text := e.digestText(t, d.ID)
	for _, want := range []string{"Later dated", "Later undated"} {
		if !strings.Contains(text, want) {
			t.Errorf("second digest lacks %q:\n%s", want, text)
		}
	}
	if d, err = e.svc.RunDigest(ctx, "news"); err != nil || d.ID != 0 || d.Articles != 0 {
		t.Errorf("third digest: %+v, %v; want none, nothing being new", d, err)
	}
}
