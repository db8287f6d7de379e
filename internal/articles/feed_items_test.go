package articles_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// A feed item whose title is longer than an article's 300-character limit
// is taken with its title cut, as its summary and author are: every poll
// used to drop it without a word.
func TestFeedItemWithALongTitleIsTaken(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	long := strings.Repeat("Harbour council votes ", 20) // 440 characters
	body := `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Harbour Gazette</title><link>https://news.example/</link>
<item><title>` + long + `</title><link>https://news.example/long</link><pubDate>Fri, 20 Nov 2026 07:00:00 GMT</pubDate></item>
<item><title>Short</title><link>https://news.example/short</link><pubDate>Fri, 20 Nov 2026 07:00:00 GMT</pubDate></item>
</channel></rss>`
	srv, _, _ := feedServer(t, body)
	feeds := articles.NewFeeds(db, store, true)
	fd, _, err := feeds.Add(ctx, srv.URL+"/feed.xml", "news", nil)
	if err != nil {
		t.Fatal(err)
	}
	if fd.Added != 2 {
		items, _, _ := store.List(ctx, articles.Filter{List: "news"})
		var urls []string
		for _, a := range items {
			urls = append(urls, a.URL)
		}
		t.Errorf("poll added %d articles %v, want 2: the item with a long title was dropped", fd.Added, urls)
	}
}

// An Atom entry whose link is a relative reference (valid Atom: it is
// relative to the feed document's URL) is taken with its link read
// against the feed's URL: every poll used to drop it, as Save refuses a
// URL that is not absolute.
func TestFeedItemWithARelativeLinkIsTaken(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	body := `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Harbour Gazette</title><id>urn:x</id><updated>2026-11-20T07:00:00Z</updated>
<entry><title>Ferry timetable</title><id>urn:x:1</id><link href="/2026/ferry"/><updated>2026-11-20T07:00:00Z</updated></entry>
</feed>`
	srv, _, _ := feedServer(t, body)
	feeds := articles.NewFeeds(db, store, true)
	fd, _, err := feeds.Add(ctx, srv.URL+"/feed.xml", "news", nil)
	if err != nil {
		t.Fatal(err)
	}
	if fd.Added != 1 {
		t.Errorf("poll added %d articles, want 1 (%s/2026/ferry)", fd.Added, srv.URL)
	}
}
