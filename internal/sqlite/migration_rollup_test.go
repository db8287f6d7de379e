package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Migration 062 deletes the round-up marks, and their holds, of lists
// that are no longer daily, which the first digest of such a list would
// now take its weekly readers from; a daily list keeps its round-up.
func TestStaleRollupMarksGo(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db := open(t, path)
	for _, q := range []string{
		`DELETE FROM migrations WHERE name = 'migration/062_stale_rollup_marks.sql'`,
		`INSERT INTO lists (id, slug, name, digest, created_at) VALUES
			(1, 'daily', 'Daily', 'daily', '2026-01-01'), (2, 'weekly', 'Weekly', 'weekly', '2026-01-01'), (3, 'off', 'Off', 'off', '2026-01-01')`,
		`INSERT INTO articles (id, url, title, published_at, created_at) VALUES (1, 'https://example.com/a', 'A', '2026-02-01', '2026-01-01')`,
		`INSERT INTO digest_rollup_marks (list_id, last_digest_at, last_article_id) VALUES
			(1, '2026-01-05', 1), (2, '2026-01-05', 1), (3, '2026-01-05', 1)`,
		`INSERT INTO digest_holds (list_id, marks, article_id) VALUES
			(1, 'digest_rollup_marks', 1), (2, 'digest_rollup_marks', 1), (2, 'digest_marks', 1), (3, 'digest_rollup_marks', 1)`,
	} {
		if _, err := db.Write.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	db = open(t, path)
	defer db.Close()
	if got := column(t, db.Read, `SELECT list_id FROM digest_rollup_marks ORDER BY list_id`); !cmp.Equal(got, []string{"1"}) {
		t.Errorf("round-up marks after the migration: %q, want only the daily list's", got)
	}
	if got := column(t, db.Read, `SELECT list_id || ' ' || marks FROM digest_holds ORDER BY list_id, marks`); !cmp.Equal(got, []string{
		"1 digest_rollup_marks", "2 digest_marks",
	}) {
		t.Errorf("holds after the migration: %q", got)
	}
}
