package articles_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// An item whose save failed for a passing reason comes again at the next
// poll: that poll keeps the feed's old ETag, so the fetch after it is in
// full rather than a 304 without the item. A trigger stands in for the
// passing failure (a busy database): a lock held on the whole file would
// also fail the poll's record of itself, which hides the loss, where the
// trigger fails one item's save and lets the rest of the poll through.
func TestFeedItemNotSavedComesAgain(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	srv, hits, notModified := feedServer(t, rss)
	feeds := articles.NewFeeds(db, store, true) // the test server is on loopback

	if _, err := db.Write.Exec(`CREATE TRIGGER fail_storm BEFORE INSERT ON articles
		WHEN NEW.url = 'https://news.example/storm' BEGIN SELECT RAISE(ABORT, 'a passing failure'); END`); err != nil {
		t.Fatal(err)
	}
	fd, _, err := feeds.Add(ctx, srv.URL+"/feed.xml", "news", nil)
	if err != nil {
		t.Fatal(err)
	}
	if fd.Added != 1 {
		t.Fatalf("first poll added %d, want the bridge alone", fd.Added)
	}
	if !strings.Contains(fd.LastError, "a passing failure") {
		t.Errorf("first poll: error %q, want the storm's failure recorded", fd.LastError)
	}
	if _, err := db.Write.Exec(`DROP TRIGGER fail_storm`); err != nil {
		t.Fatal(err)
	}

	n, err := feeds.Poll(ctx, fd)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || notModified.Load() != 0 {
		t.Errorf("second poll added %d (%d of %d fetches not modified); want the storm added from a fetch in full", n, notModified.Load(), hits.Load())
	}
	items, _, err := store.List(ctx, articles.Filter{List: "news"})
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, a := range items {
		urls = append(urls, a.URL)
	}
	if len(urls) != 2 || urls[1] != "https://news.example/storm" {
		t.Errorf("articles %v, want the bridge and the storm", urls)
	}

	// Every item taken, the ETag is kept: the poll after is a 304.
	got, err := feeds.Get(ctx, fd.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.LastError != "" || got.Items != 2 {
		t.Errorf("after the second poll: error %q, items %d; want none, 2", got.LastError, got.Items)
	}
	if _, err := feeds.Poll(ctx, got); err != nil {
		t.Fatal(err)
	}
	if notModified.Load() != 1 {
		t.Errorf("third poll: %d of %d fetches not modified, want the third to send the ETag", notModified.Load(), hits.Load())
	}
}

// An item Save refuses as invalid can never be taken: the poll keeps the
// feed's new ETag all the same, or the feed would be fetched in full at
// every poll for an item that is never coming.
func TestFeedInvalidItemDoesNotHoldBackTheETag(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	body := `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Harbour Gazette</title><link>https://news.example/</link>
<item><title>Tide tables</title><link>ftp://news.example/tides.txt</link></item>
<item><title>Storm warning</title><link>https://news.example/storm</link></item>
</channel></rss>`
	srv, _, notModified := feedServer(t, body)
	feeds := articles.NewFeeds(db, store, true)
	fd, _, err := feeds.Add(ctx, srv.URL+"/feed.xml", "news", nil)
	if err != nil {
		t.Fatal(err)
	}
	if fd.Added != 1 || fd.LastError != "" {
		t.Fatalf("first poll: added %d, error %q; want the storm added and the ftp item skipped without an error", fd.Added, fd.LastError)
	}
	if _, err := feeds.Poll(ctx, fd); err != nil {
		t.Fatal(err)
	}
	if notModified.Load() != 1 {
		t.Errorf("second poll was not a 304: the invalid item held back the ETag")
	}
}
