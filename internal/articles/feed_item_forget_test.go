package articles_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A deleted item a poll has not seen in its feed for DeletedItemMemory is
// forgotten, as is the URL of a deleted article no feed gives; one still
// in its feed is seen at each poll, and kept. The rows used to stay for
// ever, one per deleted article and list.
func TestDeletedFeedItemsForgottenWhenNotSeen(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	note := &articles.Article{URL: "https://news.example/2026/note", Title: "Editor's note", Lists: []string{"news"}}
	if _, err := store.Save(ctx, note); err != nil {
		t.Fatal(err)
	}
	gulls := feedItem{"tag:news.example,2026:gulls", "https://news.example/2026/gulls", "Gulls return"}
	storm := feedItem{"", "https://news.example/2026/storm", "Storm warning"}
	ferry := feedItem{"tag:news.example,2026:ferry", "https://news.example/2026/ferry", "Ferry timetable"}
	srv, serve, _ := feedSite(t)
	serve("/feed", rssOf(gulls, storm, ferry))
	feeds := articles.NewFeeds(db, store, true) // the test server is on loopback
	fd := addFeed(t, feeds, srv.URL+"/feed", 3)
	for _, u := range []string{gulls.link, storm.link, note.URL} {
		if err := store.Delete(ctx, articleAt(t, db.Read, u)); err != nil {
			t.Fatal(err)
		}
	}
	serve("/feed", rssOf(gulls, ferry))
	if added := pollAgain(t, feeds, fd.ID); added != 0 {
		t.Errorf("poll after the deletes added %d articles, want 0", added)
	}

	lastMonth(t, db)
	bridge := feedItem{"tag:news.example,2026:bridge", "https://news.example/2026/bridge", "Bridge reopens"}
	serve("/feed", rssOf(bridge, gulls, ferry))
	if added := pollAgain(t, feeds, fd.ID); added != 1 {
		t.Errorf("poll a month on added %d articles, want 1 (the bridge's)", added)
	}
	want := []string{
		"https://news.example/2026/gulls (list)",
		"tag:news.example,2026:gulls (feed)",
	}
	if diff := cmp.Diff(want, deletedItems(t, db)); diff != "" {
		t.Errorf("deleted items remembered (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Ferry timetable <https://news.example/2026/ferry>", "Bridge reopens <https://news.example/2026/bridge>"},
		stored(t, db.Read)); diff != "" {
		t.Errorf("articles (-want +got):\n%s", diff)
	}
}

// A feed that has not read its items since it last saw a deleted item
// (it answers 304 Not Modified, or is paused) may still carry it: its
// rows are kept past DeletedItemMemory, and the item stays deleted when
// the feed changes. Only the rows of no feed (an article's URL) go; a
// feed that gives a deleted article it never brought (an editor's) has
// a row of its own for it from its poll that saw it.
func TestDeletedFeedItemKeptWhileItsFeedIsNotRead(t *testing.T) {
	for _, tc := range []struct {
		name string
		// wait stands for a month in which the feed is not read, and
		// forgets what may be forgotten.
		wait func(t *testing.T, feeds *articles.Feeds, fd *articles.Feed, other string)
		// resume reads the feed again and returns what it added.
		resume func(t *testing.T, feeds *articles.Feeds, fd *articles.Feed) int
	}{{
		name: "not modified",
		wait: func(t *testing.T, feeds *articles.Feeds, fd *articles.Feed, _ string) {
			// A month of polls looks for deleted items to forget once a
			// day (forgetClock): this one is a day after the last look.
			feeds.SetClock(func() time.Time { return sqlite.Now().Add(day) })
			pollAgain(t, feeds, fd.ID)
		},
		resume: func(t *testing.T, feeds *articles.Feeds, fd *articles.Feed) int { return pollAgain(t, feeds, fd.ID) },
	}, {
		name: "paused",
		wait: func(t *testing.T, feeds *articles.Feeds, fd *articles.Feed, other string) {
			if _, err := feeds.SetActive(context.Background(), fd.ID, false); err != nil {
				t.Fatal(err)
			}
			addFeed(t, feeds, other, 1)
		},
		resume: func(t *testing.T, feeds *articles.Feeds, fd *articles.Feed) int {
			got, err := feeds.SetActive(context.Background(), fd.ID, true)
			if err != nil || got.LastError != "" {
				t.Fatalf("resume: %v %q", err, got.LastError)
			}
			return got.Added
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			db, store := newFeedEnv(t)
			ctx := context.Background()
			gulls := feedItem{"7", "https://news.example/2026/gulls", "Gulls return"}
			storm := feedItem{"", "https://news.example/2026/storm", "Storm warning"}
			ferry := feedItem{"9", "https://news.example/2026/ferry", "Ferry timetable"}
			note := feedItem{"8", "https://news.example/2026/note", "Editor's note"}
			if _, err := store.Save(ctx, &articles.Article{URL: note.link, Title: note.title, Lists: []string{"news"}}); err != nil {
				t.Fatal(err)
			}
			if err := store.Delete(ctx, articleAt(t, db.Read, note.link)); err != nil {
				t.Fatal(err)
			}
			srv, serve, notModified := feedSite(t)
			serve("/feed", rssOf(gulls, storm, note, ferry))
			serve("/other", rssOf(feedItem{"1", "https://other.example/2026/quay", "Quay works"}))
			feeds := articles.NewFeeds(db, store, true)
			fd := addFeed(t, feeds, srv.URL+"/feed", 3)
			for _, u := range []string{gulls.link, storm.link} {
				if err := store.Delete(ctx, articleAt(t, db.Read, u)); err != nil {
					t.Fatal(err)
				}
			}

			lastMonth(t, db)
			tc.wait(t, feeds, fd, srv.URL+"/other")
			want := []string{
				"7 (feed)",
				"8 (feed)",
				"https://news.example/2026/storm (feed)",
			}
			if diff := cmp.Diff(want, deletedItems(t, db)); diff != "" {
				t.Errorf("deleted items remembered a month on (-want +got):\n%s", diff)
			}
			bridge := feedItem{"10", "https://news.example/2026/bridge", "Bridge reopens"}
			serve("/feed", rssOf(bridge, gulls, storm, note, ferry))
			if added := tc.resume(t, feeds, fd); added != 1 {
				t.Errorf("the feed read again added %d articles, want 1 (the bridge's)", added)
			}
			want = []string{"Ferry timetable <https://news.example/2026/ferry>", "Bridge reopens <https://news.example/2026/bridge>"}
			if tc.name == "paused" {
				want = slices.Insert(want, 1, "Quay works <https://other.example/2026/quay>")
			} else if notModified.Load() == 0 {
				t.Error("no poll was answered 304 Not Modified")
			}
			if diff := cmp.Diff(want, stored(t, db.Read)); diff != "" {
				t.Errorf("articles (-want +got):\n%s", diff)
			}
		})
	}
}

// A poll forgets a few rows, not a backlog at once (a database upgraded
// with years of deletes): the write stays short, and the next polls take
// the rest, each after a full batch, though the feed answers 304 Not
// Modified (forgetClock).
func TestDeletedFeedItemsForgottenInBatches(t *testing.T) {
	db, store := newFeedEnv(t)
	srv, serve, notModified := feedSite(t)
	serve("/feed", rssOf(feedItem{"1", "https://news.example/2026/ferry", "Ferry timetable"}))
	fd := addFeed(t, articles.NewFeeds(db, store, true), srv.URL+"/feed", 1)
	old := time.Now().UTC().Add(-articles.DeletedItemMemory - time.Hour)
	if _, err := db.Write.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250)
		INSERT INTO deleted_feed_items (list_id, item_id, feed_url, link, title, seen_at)
		SELECT 1, 'https://news.example/old/' || i, '', 'https://news.example/old/' || i, 'Old ' || i, ? FROM n`, old); err != nil {
		t.Fatal(err)
	}
	feeds := articles.NewFeeds(db, store, true) // the upgraded Bulletin's start
	pollAgain(t, feeds, fd.ID)
	if n := len(deletedItems(t, db)); n == 0 || n == 250 {
		t.Errorf("%d of 250 rows left after one poll, want some forgotten and some left to the next polls", n)
	}
	for range 10 {
		pollAgain(t, feeds, fd.ID)
	}
	if n := len(deletedItems(t, db)); n != 0 {
		t.Errorf("%d rows left after 11 polls, want none", n)
	}
	if n := notModified.Load(); n != 11 {
		t.Errorf("%d polls answered 304, want 11", n)
	}
}

// lastMonth moves every deleted item's last sighting, and every feed's
// last poll and read, to just over DeletedItemMemory ago, as a month
// without polls would leave them.
func lastMonth(t *testing.T, db *sqlite.DB) {
	t.Helper()
	old := time.Now().UTC().Add(-articles.DeletedItemMemory - time.Hour)
	if _, err := db.Write.Exec(`UPDATE deleted_feed_items SET seen_at = ?`, old); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.Exec(`UPDATE feeds SET fetched_at = ?, last_polled_at = ?`, old, old); err != nil {
		t.Fatal(err)
	}
}

// deletedItems is each remembered deleted item's id, with whether it is
// a feed's or the whole list's, in order.
func deletedItems(t *testing.T, db *sqlite.DB) []string {
	t.Helper()
	return texts(t, db.Read, `SELECT item_id || CASE feed_url WHEN '' THEN ' (list)' ELSE ' (feed)' END
		FROM deleted_feed_items ORDER BY item_id, feed_url`)
}

// A database from before migration 070 keeps its deleted items: each
// becomes its feed's where a feed remembers it, the whole list's
// otherwise; as nothing said which story an item was, the next poll
// that sees it learns its story from the feed, and a weak guid of one
// feed no longer hides another feed's. Articles deleted from then on are
// remembered with their stories.
func TestDeletedFeedItemsKeptBefore070(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	srv, serve, _ := feedSite(t)
	serve("/harbour", rssOf(
		feedItem{"1", "https://harbour.example/2026/week-49", "Weekly roundup"},
		feedItem{"tag:harbour.example,2026:gulls", "https://harbour.example/2026/gulls", "Gulls return"},
	))
	serve("/council", rssOf(
		feedItem{"1", "https://council.example/2026/week-49", "Weekly roundup"},
		feedItem{"9", "https://council.example/2026/budget", "Budget vote"},
	))
	now := time.Now().UTC().Format(time.RFC3339)
	db = migrateAgain(t, db, db.Path,
		`DROP TRIGGER articles_deleted_feed_items`,
		`DROP TABLE deleted_feed_items`,
		`ALTER TABLE feeds DROP COLUMN fetched_at`,
		`DELETE FROM migrations WHERE name = 'migration/070_deleted_feed_items_stories.sql'`,
		`CREATE TABLE deleted_feed_items (list_id INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
			item_id TEXT NOT NULL, PRIMARY KEY (list_id, item_id)) WITHOUT ROWID`,
		`CREATE TRIGGER articles_deleted_feed_items BEFORE DELETE ON articles BEGIN
			INSERT OR IGNORE INTO deleted_feed_items (list_id, item_id)
				SELECT f.list_id, fi.item_id FROM feed_items fi JOIN feeds f ON f.id = fi.feed_id WHERE fi.article_id = OLD.id;
			INSERT OR IGNORE INTO deleted_feed_items (list_id, item_id)
				SELECT al.list_id, OLD.url FROM article_lists al WHERE al.article_id = OLD.id;
		END`,
		`INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'news', 'News', '2026-01-01')`,
		fmt.Sprintf(`INSERT INTO feeds (id, url, list_id, last_polled_at, last_status, items, created_at)
			VALUES (7, '%[1]s/harbour', 1, '%[2]s', '200 OK', 2, '2026-01-01'), (8, '%[1]s/council', 1, '%[2]s', '200 OK', 1, '2026-01-01')`,
			srv.URL, now),
		fmt.Sprintf(`INSERT INTO articles (id, url, title, published_at, created_at)
			VALUES (1, 'https://council.example/2026/budget', 'Budget vote', '%[1]s', '%[1]s')`, now),
		`INSERT INTO article_lists (article_id, list_id) VALUES (1, 1)`,
		`INSERT INTO feed_items (feed_id, item_id, article_id) VALUES (7, '1', NULL), (7, 'tag:harbour.example,2026:gulls', NULL), (8, '9', 1)`,
		`INSERT INTO deleted_feed_items (list_id, item_id) VALUES (1, '1'), (1, 'tag:harbour.example,2026:gulls'),
			(1, 'https://harbour.example/2026/gulls'), (1, 'https://harbour.example/2026/week-49'), (1, '5')`,
	)
	defer db.Close()
	want := []string{
		"1 (feed)",
		"5 (list)",
		"https://harbour.example/2026/gulls (list)",
		"https://harbour.example/2026/week-49 (list)",
		"tag:harbour.example,2026:gulls (feed)",
	}
	if diff := cmp.Diff(want, deletedItems(t, db)); diff != "" {
		t.Errorf("deleted items after the migration (-want +got):\n%s", diff)
	}

	store := articles.NewStore(db)
	feeds := articles.NewFeeds(db, store, true)
	if added := pollAgain(t, feeds, 7); added != 0 {
		t.Errorf("the harbour's first poll after the upgrade added %d articles, want 0", added)
	}
	if added := pollAgain(t, feeds, 8); added != 1 {
		t.Errorf("the council's first poll after the upgrade added %d articles, want 1 (its own item 1)", added)
	}
	serve("/harbour", rssOf(feedItem{"1", "https://harbour.example/2026/week-50", "Weekly roundup: the quay"}))
	if added := pollAgain(t, feeds, 7); added != 1 {
		t.Errorf("the harbour's item 1 given another story added %d articles, want 1", added)
	}

	if err := store.Delete(ctx, 1); err != nil {
		t.Fatal(err)
	}
	got := texts(t, db.Read, `SELECT item_id || ' ' || feed_url || ' ' || link || ' ' || title FROM deleted_feed_items
		WHERE link = 'https://council.example/2026/budget' ORDER BY feed_url`)
	want = []string{
		"https://council.example/2026/budget  https://council.example/2026/budget Budget vote",
		fmt.Sprintf("9 %s/council https://council.example/2026/budget Budget vote", srv.URL),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("an article deleted after the upgrade is remembered as (-want +got):\n%s", diff)
	}
}
