package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A database at 088 gets missed_send_at, NULL for every campaign it has:
// none of them was recorded as missing its send time, and a draft made
// so before the upgrade cannot be told from any other. It keeps a time.
func TestMissedSendAtAddedEmpty(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db := open(t, path)
	at := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	for _, q := range []string{
		`ALTER TABLE campaigns DROP COLUMN missed_send_at`,
		`DELETE FROM migrations WHERE name = 'migration/089_campaign_missed_send.sql'`,
		`INSERT INTO campaigns (id, kind, subject, status, send_at, created_at, updated_at, started_at, finished_at) VALUES
			(1, 'campaign', 'Draft', 'draft', NULL, ?1, ?1, NULL, NULL),
			(2, 'campaign', 'Scheduled', 'scheduled', ?1, ?1, ?1, NULL, NULL),
			(3, 'campaign', 'Sent', 'sent', NULL, ?1, ?1, ?1, ?1),
			(4, 'digest', 'Digest', 'sending', NULL, ?1, ?1, ?1, NULL)`,
	} {
		if _, err := db.Write.ExecContext(ctx, q, at); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	db = open(t, path)
	defer db.Close()
	got := column(t, db.Read, `SELECT subject || ' ' || status || ' ' || COALESCE(missed_send_at, 'none') FROM campaigns ORDER BY id`)
	want := []string{"Draft draft none", "Scheduled scheduled none", "Sent sent none", "Digest sending none"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("campaigns after the migration (-want +got):\n%s", diff)
	}
	if _, err := db.Write.ExecContext(ctx, `UPDATE campaigns SET missed_send_at = ? WHERE id = 1`, at); err != nil {
		t.Fatal(err)
	}
	var missed time.Time
	if err := db.Read.QueryRowContext(ctx, `SELECT missed_send_at FROM campaigns WHERE id = 1`).Scan(&missed); err != nil || !missed.Equal(at) {
		t.Errorf("missed_send_at kept %v (%v), want %v", missed, err, at)
	}
}
