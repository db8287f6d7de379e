package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// 097 adds data_link_asks, the readers' asks for a data link mail
// (subscribers.DataLinks): an ask names a reader and one of the two
// purposes, and goes when its reader is erased.
func TestDataLinkAsksGoWithTheirReader(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "bulletin.db"))
	defer db.Close()
	at := time.Date(2026, 12, 6, 7, 0, 0, 0, time.UTC)
	for _, q := range []string{
		`INSERT INTO subscribers (id, email, email_key, name, status, created_at, updated_at) VALUES (1, 'ann@example.org', 'ann@example.org', '', 'confirmed', ?1, ?1)`,
		`INSERT INTO data_link_asks (subscriber_id, purpose, asked_at) VALUES (1, 'data download', ?1), (1, 'data erase', ?1)`,
	} {
		if _, err := db.Write.ExecContext(ctx, q, at); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, q := range []string{
		`INSERT INTO data_link_asks (subscriber_id, purpose, asked_at) VALUES (1, 'preferences', ?1)`,
		`INSERT INTO data_link_asks (subscriber_id, purpose, asked_at) VALUES (2, 'data erase', ?1)`,
	} {
		if _, err := db.Write.ExecContext(ctx, q, at); err == nil {
			t.Errorf("%s: no error", q)
		}
	}
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM subscribers WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM data_link_asks`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d asks left (%v) after their reader was erased, want none", n, err)
	}
}
