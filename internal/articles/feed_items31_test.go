package articles_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// A feed's items count the articles it put on its list. The same feed
// URL added to a second list put its items, stored already by the first
// list's feed, on the second list (whose digest mailed them), and showed
// "Items: 0": only new articles counted. A feed whose items are on its
// list already (another feed of the list brought them) puts nothing on
// it, and counts nothing.
func TestFeedItemsCountArticlesPutOnItsList(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	for _, slug := range []string{"desk", "ferries"} {
		if _, err := db.Write.Exec(`INSERT INTO lists (slug, name, created_at) VALUES (?, ?, ?)`, slug, slug, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	srv, _ := liveFeed(t, rssOf(
		feedItem{"tag:news.example,2026:bridge", "https://news.example/2026/bridge", "Bridge reopens"},
		feedItem{"", "https://news.example/2026/storm", "Storm warning"},
	))
	// An editor put the storm on the ferries list by hand.
	storm := &articles.Article{URL: "https://news.example/2026/storm", Title: "Storm warning", Lists: []string{"ferries"}}
	if _, err := store.Save(ctx, storm); err != nil {
		t.Fatal(err)
	}
	feeds := articles.NewFeeds(db, store, true) // the test server is on loopback
	add := func(url, list string) *articles.Feed {
		t.Helper()
		fd, _, err := feeds.Add(ctx, url, list, nil)
		if err != nil || fd.LastError != "" {
			t.Fatalf("add %s to %s: %v, %+v", url, list, err, fd)
		}
		return fd
	}
	tests := []struct {
		what, url, list string
		want            int
	}{
		{"first list: a new article and one stored by hand", srv.URL + "/feed", "news", 2},
		{"the same URL on a second list: both stored already", srv.URL + "/feed", "desk", 2},
		{"a third list that has the storm by hand", srv.URL + "/feed", "ferries", 1},
		{"another feed of the first list: both on it already", srv.URL + "/feed.xml", "news", 0},
	}
	for _, tt := range tests {
		fd := add(tt.url, tt.list)
		if fd.Added != tt.want || fd.Items != tt.want {
			t.Errorf("%s: added %d, items %d; want %d", tt.what, fd.Added, fd.Items, tt.want)
		}
		if n := pollAgain(t, feeds, fd.ID); n != 0 {
			t.Errorf("%s: the next poll put %d more on the list, want 0", tt.what, n)
		}
		if got, _ := feeds.Get(ctx, fd.ID); got.Items != tt.want {
			t.Errorf("%s: items %d after the next poll, want %d still", tt.what, got.Items, tt.want)
		}
	}
	// Two articles, each on every list: what the counts say was done.
	lists := texts(t, db.Read, `SELECT a.url || ' ' || group_concat(l.slug, ',' ORDER BY l.slug) FROM articles a
		JOIN article_lists al ON al.article_id = a.id JOIN lists l ON l.id = al.list_id GROUP BY a.id ORDER BY a.id`)
	want := []string{"https://news.example/2026/storm desk,ferries,news", "https://news.example/2026/bridge desk,ferries,news"}
	if diff := cmp.Diff(want, lists); diff != "" {
		t.Errorf("articles' lists (-want +got):\n%s", diff)
	}
}
