package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A database from before 071 keeps every feed item, each seen as of the
// upgrade (so kept until its feed's next read leaves it out, and a month
// more) and dated until a poll says otherwise; a feed's dated rows are in
// the index forgetting reads, by when they were seen.
func TestFeedItemsSeenAsOfTheUpgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db := open(t, path)
	for _, q := range []string{
		`DROP INDEX feed_items_seen`,
		`DROP INDEX feed_items_undated_seen`, // 075's, on the columns 071 adds
		`ALTER TABLE feed_items DROP COLUMN seen_at`,
		`ALTER TABLE feed_items DROP COLUMN undated`,
		`DELETE FROM migrations WHERE name IN ('migration/071_feed_items_seen.sql', 'migration/075_feed_items_undated_seen.sql')`,
		`INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'news', 'News', '2026-01-01')`,
		`INSERT INTO feeds (id, url, list_id, fetched_at, created_at) VALUES (7, 'https://news.example/feed', 1, '2026-11-30 08:00:00+00:00', '2026-01-01')`,
		`INSERT INTO articles (id, url, title, published_at, created_at) VALUES (1, 'https://news.example/2026/ferry', 'Ferry timetable', '2026-11-20', '2026-11-20')`,
		`INSERT INTO feed_items (feed_id, item_id, article_id) VALUES (7, '9', 1), (7, 'tag:news.example,2026:gulls', NULL)`,
	} {
		if _, err := db.Write.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	before := time.Now().UTC().Truncate(time.Millisecond)
	db = open(t, path)
	defer db.Close()
	after := time.Now().UTC().Add(time.Millisecond)
	got := column(t, db.Read, `SELECT feed_id || ' ' || item_id || ' ' || ifnull(article_id, 'deleted') || ' ' || undated FROM feed_items ORDER BY item_id`)
	want := []string{"7 9 1 0", "7 tag:news.example,2026:gulls deleted 0"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("feed items after the migration (-want +got):\n%s", diff)
	}
	rows, err := db.Read.QueryContext(ctx, `SELECT seen_at FROM feed_items`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var seen time.Time
		if err := rows.Scan(&seen); err != nil {
			t.Fatal(err)
		}
		if seen.Before(before) || seen.After(after) {
			t.Errorf("seen at %s, want the upgrade's time (%s to %s)", seen, before, after)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// A time the driver writes sorts as the migration's does: a poll that
	// began before the upgrade has not seen the rows since.
	var fresh bool
	if err := db.Read.QueryRowContext(ctx, `SELECT MIN(seen_at) > ? FROM feed_items`, before.Add(-time.Millisecond)).Scan(&fresh); err != nil || !fresh {
		t.Errorf("rows seen after a time just before the upgrade: %v %v, want true", fresh, err)
	}
	got = column(t, db.Read, `SELECT item_id FROM feed_items INDEXED BY feed_items_seen WHERE feed_id = 7 AND undated = 0 AND seen_at < '9999-12-31 00:00:00+00:00' ORDER BY item_id`)
	if diff := cmp.Diff([]string{"9", "tag:news.example,2026:gulls"}, got); diff != "" {
		t.Errorf("rows in feed_items_seen (-want +got):\n%s", diff)
	}
	if _, err := db.Write.ExecContext(ctx, `UPDATE feed_items SET undated = 2 WHERE item_id = '9'`); err == nil {
		t.Error("undated took 2")
	}
}
