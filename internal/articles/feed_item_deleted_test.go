package articles_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// An article an admin deleted stays deleted for its list: no feed of the
// list brings it back, the one that brought it deleted and added again
// (under the new URL a moved feed gives, its item's link changed since),
// nor a feed added after an article an editor put on the list by hand
// was deleted; however the article was deleted. The feed added again
// used to bring back, and the next digest to mail, every article deleted
// from its feed. A feed of another list still brings them to that list.
func TestDeletedArticleStaysDeletedForItsList(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	if _, err := db.Write.Exec(`INSERT INTO lists (slug, name, created_at) VALUES ('desk', 'Desk', ?)`, time.Now()); err != nil {
		t.Fatal(err)
	}
	gulls := &articles.Article{URL: "https://news.example/2026/gulls", Title: "Gulls return", Lists: []string{"news"}}
	if _, err := store.Save(ctx, gulls); err != nil {
		t.Fatal(err)
	}
	if err := store.Delete(ctx, gulls.ID); err != nil {
		t.Fatal(err)
	}
	srv, serve := liveFeed(t, rssOf(
		feedItem{"tag:news.example,2026:bridge", "https://news.example/2026/bridge", "Bridge reopens"},
		feedItem{"", "https://news.example/2026/storm", "Storm warning"},
		feedItem{"tag:news.example,2026:ferry", "https://news.example/2026/ferry", "Ferry timetable"},
		feedItem{"tag:news.example,2026:gulls", "https://news.example/2026/gulls", "Gulls return"},
	))
	feeds := articles.NewFeeds(db, store, true) // the test server is on loopback
	fd := addFeed(t, feeds, srv.URL+"/feed", -1)
	if fd.Added != 3 {
		t.Errorf("the feed's first poll added %d articles, want 3: not the gulls', deleted from its list before", fd.Added)
	}
	if err := store.Delete(ctx, articleAt(t, db.Read, "https://news.example/2026/bridge")); err != nil {
		t.Fatal(err)
	}
	// Not the store's code: the database remembers the delete itself.
	if _, err := db.Write.Exec(`DELETE FROM articles WHERE url = 'https://news.example/2026/storm'`); err != nil {
		t.Fatal(err)
	}
	links := digestLinks(t, db.Read)
	if err := feeds.Delete(ctx, fd.ID); err != nil {
		t.Fatal(err)
	}

	serve(rssOf(
		feedItem{"tag:news.example,2026:bridge", "https://news.example/2026/bridge-reopens", "Bridge reopens"},
		feedItem{"", "https://news.example/2026/storm", "Storm warning"},
		feedItem{"tag:news.example,2026:ferry", "https://news.example/2026/ferry", "Ferry timetable"},
		feedItem{"tag:news.example,2026:gulls", "https://news.example/2026/gulls", "Gulls return"},
	))
	again := addFeed(t, feeds, srv.URL+"/feed.xml", 0)
	if again.ID == fd.ID {
		t.Errorf("the feed added again has the deleted one's id %d", fd.ID)
	}
	if diff := cmp.Diff([]string{"Ferry timetable <https://news.example/2026/ferry>"}, stored(t, db.Read)); diff != "" {
		t.Errorf("articles after the feed was added again (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(links, digestLinks(t, db.Read)); diff != "" {
		t.Errorf("links to lists after the feed was added again (-want +got):\n%s", diff)
	}
	want := []string{
		"https://news.example/2026/storm deleted",
		"tag:news.example,2026:bridge deleted",
		fmt.Sprintf("tag:news.example,2026:ferry %d", articleAt(t, db.Read, "https://news.example/2026/ferry")),
		"tag:news.example,2026:gulls deleted",
	}
	got := texts(t, db.Read, fmt.Sprintf(`SELECT item_id || ' ' || COALESCE(article_id, 'deleted') FROM feed_items
		WHERE feed_id = %d ORDER BY item_id`, again.ID))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("what the feed added again knows of its items (-want +got):\n%s", diff)
	}

	desk, _, err := feeds.Add(ctx, srv.URL+"/feed", "desk", nil)
	if err != nil {
		t.Fatal(err)
	}
	// The 3 deleted from news are stored again, and the ferry's article,
	// on news, joins the desk too.
	if desk.Added != 4 {
		t.Errorf("a feed of another list put %d articles on it, want the 3 deleted from news and the ferry's", desk.Added)
	}
}

// The items whose articles were deleted after feeds knew their items
// (migration 067) and before deleted items were kept by list (068) stay
// deleted when their feed is deleted and added again.
func TestFeedItemsDeletedBeforeTheyWereKeptByList(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := liveFeed(t, rssOf(
		feedItem{"tag:news.example,2026:bridge", "https://news.example/2026/bridge", "Bridge reopens"},
		feedItem{"", "https://news.example/2026/storm", "Storm warning"},
		feedItem{"tag:news.example,2026:ferry", "https://news.example/2026/ferry", "Ferry timetable"},
	))
	now := time.Now().UTC().Format(time.RFC3339)
	db = migrateAgain(t, db, path,
		`DROP TRIGGER IF EXISTS articles_deleted_feed_items`,
		`DROP TABLE IF EXISTS deleted_feed_items`,
		`ALTER TABLE feeds DROP COLUMN fetched_at`,
		`DELETE FROM migrations WHERE name IN ('migration/068_deleted_feed_items.sql', 'migration/070_deleted_feed_items_stories.sql')`,
		`INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'news', 'News', '2026-01-01')`,
		fmt.Sprintf(`INSERT INTO feeds (id, url, list_id, last_polled_at, last_status, items, created_at)
			VALUES (7, '%s/feed', 1, '%s', '200 OK', 3, '2026-01-01')`, srv.URL, now),
		fmt.Sprintf(`INSERT INTO articles (id, url, title, published_at, created_at)
			VALUES (1, 'https://news.example/2026/ferry', 'Ferry timetable', '%[1]s', '%[1]s')`, now),
		`INSERT INTO article_lists (article_id, list_id) VALUES (1, 1)`,
		`INSERT INTO feed_items (feed_id, item_id, article_id) VALUES (7, 'tag:news.example,2026:bridge', NULL),
			(7, 'https://news.example/2026/storm', NULL), (7, 'tag:news.example,2026:ferry', 1)`,
	)
	defer db.Close()
	feeds := articles.NewFeeds(db, articles.NewStore(db), true)
	if err := feeds.Delete(ctx, 7); err != nil {
		t.Fatal(err)
	}
	fd := addFeed(t, feeds, srv.URL+"/feed", -1)
	if fd.Added != 0 || fd.LastError != "" {
		t.Errorf("the feed added again: %d added, error %q; want none", fd.Added, fd.LastError)
	}
	if diff := cmp.Diff([]string{"Ferry timetable <https://news.example/2026/ferry>"}, stored(t, db.Read)); diff != "" {
		t.Errorf("articles (-want +got):\n%s", diff)
	}
}
