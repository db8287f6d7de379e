package articles

import (
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// Forgetting reads a feed's oldest dated items from feed_items_seen, and
// its oldest undated ones from feed_items_undated_seen, without sorting,
// so that a poll with a backlog of years reads its batch and no more, and
// deletes each row by its key; deleted items are read from
// deleted_feed_items_seen.
func TestForgettingReadsItsIndexes(t *testing.T) {
	db := sqlitetest.Open(t)
	now := time.Now().UTC()
	for _, tc := range []struct {
		q     string
		args  []any
		wants []string
	}{{
		q:     `SELECT item_id ` + forgettableItems + ` ORDER BY seen_at LIMIT ?`,
		args:  []any{1, now, 1, forgetBatch},
		wants: []string{"INDEX feed_items_seen (feed_id=? AND seen_at<?)"},
	}, {
		q:     `DELETE ` + forgettableItems + ` AND item_id = ?`,
		args:  []any{1, now, 1, "7"},
		wants: []string{"SEARCH feed_items USING PRIMARY KEY (feed_id=? AND item_id=?)"},
	}, {
		q:     `SELECT item_id ` + forgettableUndated + ` ORDER BY seen_at LIMIT ?`,
		args:  []any{1, now, 1, forgetBatch},
		wants: []string{"INDEX feed_items_undated_seen (feed_id=? AND seen_at<?)"},
	}, {
		q:     `DELETE ` + forgettableUndated + ` AND item_id = ?`,
		args:  []any{1, now, 1, "7"},
		wants: []string{"SEARCH feed_items USING PRIMARY KEY (feed_id=? AND item_id=?)"},
	}, {
		q:     `SELECT d.list_id, d.item_id, d.feed_url ` + forgettableDeleted + ` ORDER BY d.seen_at LIMIT ?`,
		args:  []any{now, forgetBatch},
		wants: []string{"INDEX deleted_feed_items_seen (seen_at<?)"},
	}, {
		q:     `DELETE ` + forgettableDeleted + ` AND d.list_id = ? AND d.item_id = ? AND d.feed_url = ?`,
		args:  []any{now, 1, "7", ""},
		wants: []string{"SEARCH d USING PRIMARY KEY (list_id=? AND item_id=? AND feed_url=?)"},
	}} {
		p := sqlitetest.Plan(t, db.Write, tc.q, tc.args...)
		for _, w := range tc.wants {
			if !strings.Contains(p, w) {
				t.Errorf("plan of %s\n%s\nwant %q", tc.q, p, w)
			}
		}
		if strings.Contains(p, "TEMP B-TREE") || strings.Contains(p, "SCAN") {
			t.Errorf("plan of %s sorts or scans:\n%s", tc.q, p)
		}
	}
}
