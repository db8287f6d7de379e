package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A database before 096 gets last_slot on both digest mark tables, each mark's
// last digest: a digest run by hand was then the slot's as any other, and
// the schedule goes on from where it was. A mark made since keeps NULL
// until its first scheduled digest.
func TestDigestLastSlotIsTheLastDigest(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db := open(t, path)
	at := time.Date(2026, 11, 23, 8, 0, 12, 0, time.UTC)
	for _, q := range []string{
		`ALTER TABLE digest_marks DROP COLUMN last_slot`,
		`ALTER TABLE digest_rollup_marks DROP COLUMN last_slot`,
		`DELETE FROM migrations WHERE name = 'migration/096_digest_last_slot.sql'`,
		`INSERT INTO lists (id, slug, name, digest, created_at) VALUES (1, 'news', 'News', 'daily', ?1), (2, 'weekend', 'Weekend', 'weekly', ?1)`,
		`INSERT INTO digest_marks (list_id, last_digest_at, last_article_id) VALUES (1, ?1, 3), (2, ?1, 4)`,
		`INSERT INTO digest_rollup_marks (list_id, last_digest_at, last_article_id) VALUES (1, ?1, 2)`,
	} {
		if _, err := db.Write.ExecContext(ctx, q, at); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	db = open(t, path)
	defer db.Close()
	for _, table := range []string{"digest_marks", "digest_rollup_marks"} {
		rows, err := db.Read.QueryContext(ctx, `SELECT list_id, last_slot FROM `+table+` ORDER BY list_id`)
		if err != nil {
			t.Fatal(err)
		}
		var got []time.Time
		for rows.Next() {
			var id int64
			var slot time.Time
			if err := rows.Scan(&id, &slot); err != nil {
				t.Fatal(err)
			}
			got = append(got, slot.UTC())
		}
		rows.Close()
		want := []time.Time{at, at}
		if table == "digest_rollup_marks" {
			want = want[:1]
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s last_slot after the migration (-want +got):\n%s", table, diff)
		}
	}
}
