package articles

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// The search for a feed's deleted items to forget reads its rows alone
// from deleted_feed_items_feed (migration 078), oldest first, without
// sorting: a full read of one feed used to walk every row other feeds keep
// past their month (15,000 of them cost each full read some 24 ms of CPU).
func TestFeedDeletedSearchReadsItsIndex(t *testing.T) {
	db := sqlitetest.Open(t)
	q := `SELECT d.list_id, d.item_id, d.feed_url ` + forgettableFeedDeleted + ` ORDER BY d.seen_at LIMIT ?`
	p := sqlitetest.Plan(t, db.Write, q, 1, "https://news.example/feed", time.Now().UTC(), forgetBatch)
	if want := "SEARCH d USING COVERING INDEX deleted_feed_items_feed (list_id=? AND feed_url=? AND seen_at<?)"; !strings.Contains(p, want) {
		t.Errorf("plan of the feed's search:\n%s\nwant %q", p, want)
	}
	if strings.Contains(p, "TEMP B-TREE") || strings.Contains(p, "SCAN") {
		t.Errorf("the feed's search sorts or scans:\n%s", p)
	}
}

// A full read of a feed forgets its own deleted items past their month,
// and its list's of no feed (an article's URL), but leaves another feed's
// to that feed's read or to the day's search of every list, which forgets
// them a day on at most: the search after a read no longer walks the rows
// other feeds keep.
func TestFullReadForgetsItsFeedsDeletedItems(t *testing.T) {
	db := sqlitetest.Open(t)
	if _, err := db.Write.Exec(`INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'news', 'News', '2026-01-01')`); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// No ETag: each poll reads every item.
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>%[1]s</title>
			<item><title>Story</title><link>https://news.example%[1]s/story</link><pubDate>%[2]s</pubDate></item></channel></rss>`,
			r.URL.Path, time.Now().Add(-time.Hour).UTC().Format(time.RFC1123Z))
	}))
	t.Cleanup(srv.Close)
	now := sqlite.Now()
	feeds := NewFeeds(db, NewStore(db), true) // the server is on loopback
	feeds.now = func() time.Time { return now }
	a := addForgetFeed(t, feeds, srv.URL+"/a")
	b := addForgetFeed(t, feeds, srv.URL+"/b")

	// Rows of each feed and of the list not seen for over a month, each
	// forgettable: both feeds read all their items since.
	old := now.Add(-DeletedItemMemory - time.Hour)
	for _, r := range [][2]string{{"a-gone", a.URL}, {"b-gone", b.URL}, {"https://news.example/gone", ""}} {
		if _, err := db.Write.Exec(`INSERT INTO deleted_feed_items (list_id, item_id, feed_url, link, title, seen_at)
			VALUES (1, ?, ?, '', '', ?)`, r[0], r[1], old); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Write.Exec(`UPDATE feeds SET fetched_at = ?`, now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}

	now = now.Add(DefaultPollInterval)
	pollForget(t, feeds, a.ID)
	if got, want := deletedIDs(t, db), []string{"b-gone"}; !slices.Equal(got, want) {
		t.Errorf("deleted items left after feed a's full read: %q, want %q (b's waits for its read or the day's search)", got, want)
	}
	now = now.Add(forgetSearchEvery)
	pollForget(t, feeds, a.ID)
	if got := deletedIDs(t, db); len(got) != 0 {
		t.Errorf("deleted items left a day on: %q, want none", got)
	}
}

func addForgetFeed(t *testing.T, feeds *Feeds, url string) *Feed {
	t.Helper()
	fd, _, err := feeds.Add(context.Background(), url, "news", nil)
	if err != nil || fd.LastError != "" {
		t.Fatalf("add %s: %v %q", url, err, fd.LastError)
	}
	return fd
}

func pollForget(t *testing.T, feeds *Feeds, id int64) {
	t.Helper()
	fd, err := feeds.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := feeds.Poll(context.Background(), fd); err != nil {
		t.Fatal(err)
	}
}

func deletedIDs(t *testing.T, db *sqlite.DB) []string {
	t.Helper()
	ids, err := sqlite.Column[string](db.Read.Query(`SELECT item_id FROM deleted_feed_items ORDER BY item_id`))
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// A database from before migration 078 gets the feeds' deleted items
// index, and the feeds' items counts made up from what the feeds list:
// Items counted only the articles a feed created, so the same feed on a
// second list showed none. A count is never lowered; an article the feed
// shares with an older feed of its list is that feed's, and a row no poll
// has seen since 071 (its copy of the list's articles in 067) counts for
// nothing.
func TestMigration078RecountsItems(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	seen, copied := "2026-06-01 08:00:00.5+00:00", "2026-01-01 00:00:00.001999+00:00"
	for _, q := range []string{
		`DROP INDEX deleted_feed_items_feed`,
		`ALTER TABLE feeds DROP COLUMN failures`,
		`ALTER TABLE feeds DROP COLUMN next_poll_at`,
		`DELETE FROM migrations WHERE name = 'migration/078_deleted_feed_items_index.sql'`,
		`UPDATE migrations SET applied_at = '2026-01-01 00:00:00.0015+00:00' WHERE name = 'migration/071_feed_items_seen.sql'`,
		`INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'other', 'Other', '2026-01-01'), (2, 'news', 'News', '2026-01-01')`,
		// 1 brought its three items to the other list; 2, the same feed
		// on news, put them there as well, creating none; 3 lists one of
		// 2's and one of its own (and had 067's copy of a fifth); 4
		// counted 10 and lists one of 3's.
		`INSERT INTO feeds (id, url, list_id, items, created_at) VALUES
			(1, 'https://news.example/feed', 1, 3, '2026-01-01'), (2, 'https://news.example/feed', 2, 0, '2026-02-01'),
			(3, 'https://news.example/port', 2, 0, '2026-03-01'), (4, 'https://news.example/all', 2, 10, '2026-04-01')`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6)
			INSERT INTO articles (id, url, title, published_at, created_at)
			SELECT i, 'https://news.example/' || i, 'Story ' || i, '2026-01-01', '2026-01-01' FROM n`,
		`INSERT INTO article_lists (article_id, list_id) VALUES (1, 1), (2, 1), (3, 1), (6, 1), (1, 2), (2, 2), (3, 2), (4, 2), (5, 2)`,
		// 2 knows article 1 by its link too (067's copy) and by its guid;
		// article 6, off the news list, is not counted.
		`INSERT INTO feed_items (feed_id, item_id, article_id, seen_at) VALUES
			(1, 'g1', 1, '` + seen + `'), (1, 'g2', 2, '` + seen + `'), (1, 'g3', 3, '` + seen + `'),
			(2, 'g1', 1, '` + seen + `'), (2, 'https://news.example/1', 1, '` + seen + `'), (2, 'g2', 2, '` + seen + `'),
			(2, 'g3', 3, '` + seen + `'), (2, 'g6', 6, '` + seen + `'),
			(3, 'g3', 3, '` + seen + `'), (3, 'p4', 4, '` + seen + `'), (3, 'https://news.example/5', 5, '` + copied + `'),
			(4, 'p4', 4, '` + seen + `')`,
	} {
		if _, err := db.Write.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := sqlite.Column[string](db.Read.Query(`SELECT id || ': ' || items FROM feeds ORDER BY id`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"1: 3", "2: 3", "3: 1", "4: 10"}; !slices.Equal(got, want) {
		t.Errorf("items after migration 078: %q, want %q", got, want)
	}
	q := `SELECT d.list_id, d.item_id, d.feed_url ` + forgettableFeedDeleted + ` ORDER BY d.seen_at LIMIT ?`
	if p := sqlitetest.Plan(t, db.Read, q, 1, "https://news.example/feed", time.Now().UTC(), forgetBatch); !strings.Contains(p, "deleted_feed_items_feed") {
		t.Errorf("after migration 078 the feed's search does not read deleted_feed_items_feed:\n%s", p)
	}
}
