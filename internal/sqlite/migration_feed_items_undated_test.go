package sqlite_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// A database from before 075 gets the index forgetting reads a feed's
// undated items from, oldest first (they were never forgotten before):
// it holds each undated row and no dated one, and no row changes.
func TestUndatedFeedItemsIndexedFrom075(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db := open(t, path)
	for _, q := range []string{
		`DROP INDEX feed_items_undated_seen`,
		`DELETE FROM migrations WHERE name = 'migration/075_feed_items_undated_seen.sql'`,
		`INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'news', 'News', '2026-01-01')`,
		`INSERT INTO feeds (id, url, list_id, fetched_at, created_at) VALUES (7, 'https://news.example/feed', 1, '2026-11-30 08:00:00+00:00', '2026-01-01')`,
		`INSERT INTO feed_items (feed_id, item_id, article_id, seen_at, undated) VALUES
			(7, 'h', NULL, '2025-06-01 08:00:00+00:00', 1),
			(7, 'm', NULL, '2025-03-01 08:00:00+00:00', 1),
			(7, 'd', NULL, '2025-01-01 08:00:00+00:00', 0)`,
	} {
		if _, err := db.Write.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	db = open(t, path)
	defer db.Close()
	got := column(t, db.Read, `SELECT item_id FROM feed_items INDEXED BY feed_items_undated_seen
		WHERE feed_id = 7 AND undated = 1 AND seen_at < '9999-12-31 00:00:00+00:00' ORDER BY seen_at`)
	if diff := cmp.Diff([]string{"m", "h"}, got); diff != "" {
		t.Errorf("rows in feed_items_undated_seen, oldest first (-want +got):\n%s", diff)
	}
	q := `SELECT item_id FROM feed_items WHERE feed_id = 7 AND undated = 1 AND seen_at < '2026-01-01' ORDER BY seen_at LIMIT 100`
	if plan := sqlitetest.Plan(t, db.Read, q); !strings.Contains(plan, "INDEX feed_items_undated_seen (feed_id=? AND seen_at<?)") || strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("a feed's oldest undated rows are read:\n%s\nwant from feed_items_undated_seen, unsorted", plan)
	}
	got = column(t, db.Read, `SELECT item_id || ' ' || seen_at || ' ' || undated FROM feed_items ORDER BY item_id`)
	want := []string{"d 2025-01-01 08:00:00+00:00 0", "h 2025-06-01 08:00:00+00:00 1", "m 2025-03-01 08:00:00+00:00 1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("feed items after the migration (-want +got):\n%s", diff)
	}
}
