package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A database from before 060 keeps every reader and everything that
// refers to one when subscribers is rebuilt with AUTOINCREMENT, and the
// ids erased before it are not given out again.
func TestSubscribersRebuiltWithAutoincrementKeepRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db := open(t, path)
	// Put the table back as 001 and its later columns made it, on a
	// connection without foreign keys, as the migration itself must.
	execOnOneConn(t, db, []string{
		`PRAGMA foreign_keys = OFF`,
		`CREATE TABLE subscribers_old (
			id INTEGER PRIMARY KEY, email TEXT NOT NULL, email_key TEXT NOT NULL UNIQUE,
			name TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT 'pending',
			attributes TEXT NOT NULL DEFAULT '{}', frequency TEXT NOT NULL DEFAULT 'daily',
			bounce_count INTEGER NOT NULL DEFAULT 0, confirm_sent_at DATETIME,
			confirm_queued INTEGER NOT NULL DEFAULT 0, created_at DATETIME NOT NULL,
			updated_at DATETIME NOT NULL, confirmed_at DATETIME, unsubscribed_at DATETIME,
			last_mailed_at DATETIME, email_changed_at DATETIME, confirm_claimed_at INTEGER)`,
		`DROP TABLE subscribers`,
		`ALTER TABLE subscribers_old RENAME TO subscribers`,
		`CREATE INDEX subscribers_status ON subscribers (status, id)`,
		`CREATE TRIGGER events_erase BEFORE DELETE ON subscribers BEGIN
			UPDATE events SET email = '', diagnostic = '' WHERE subscriber_id = OLD.id;
		END`,
		`DELETE FROM sqlite_sequence WHERE name = 'subscribers'`,
		`DELETE FROM migrations WHERE name = 'migration/060_subscribers_autoincrement.sql'`,
		`PRAGMA foreign_keys = ON`,
		`INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'a', 'A', '2026-01-01')`,
		`INSERT INTO subscribers (id, email, email_key, status, name, bounce_count, created_at, updated_at, confirm_claimed_at) VALUES
			(1, 'One@example.com', 'one@example.com', 'confirmed', 'One', 2, '2026-01-01', '2026-01-02', NULL),
			(2, 'two@example.com', 'two@example.com', 'pending', '', 0, '2026-01-03', '2026-01-04', 1767225600)`,
		`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES
			(1, 1, 'active', '2026-01-01', '2026-01-01'), (2, 1, 'pending', '2026-01-03', '2026-01-03')`,
		`INSERT INTO campaigns (id, subject, status, created_at, updated_at) VALUES (1, 'Week', 'sent', '2026-01-05', '2026-01-05')`,
		`INSERT INTO deliveries (campaign_id, subscriber_id, status, updated_at) VALUES (1, 1, 'sent', '2026-01-05'), (1, 2, 'queued', '2026-01-05')`,
		`INSERT INTO events (kind, source, campaign_id, subscriber_id, email, diagnostic, dedupe_key, at, recorded_at) VALUES
			('bounce_soft', 'smtp', 1, 1, 'One@example.com', 'mailbox full', 'k1', '2026-01-05', '2026-01-05')`,
		// Readers 3 and 4 were the newest and were erased: their ids
		// are above every id left, and only erasures knows of them.
		`INSERT INTO erasures (email_hash, erased_at) VALUES ('h3', '2026-01-06'), ('h4', '2026-01-06')`,
	})
	db.Close()

	db = open(t, path)
	defer db.Close()
	checkAutoincrement(t, db, "subscribers")
	if got := column(t, db.Read, `SELECT id || ' ' || email || ' ' || status || ' ' || name || ' ' || bounce_count || ' ' ||
			created_at || ' ' || updated_at || ' ' || IFNULL(confirm_claimed_at, '-') FROM subscribers ORDER BY id`); !cmp.Equal(got, []string{
		"1 One@example.com confirmed One 2 2026-01-01 2026-01-02 -",
		"2 two@example.com pending  0 2026-01-03 2026-01-04 1767225600",
	}) {
		t.Errorf("readers after the migration: %q", got)
	}
	if got := column(t, db.Read, `SELECT (SELECT COUNT(*) FROM subscriptions) || ' ' || (SELECT COUNT(*) FROM deliveries) || ' ' ||
			(SELECT COUNT(*) FROM events WHERE subscriber_id = 1)`); !cmp.Equal(got, []string{"2 2 1"}) {
		t.Errorf("subscriptions, deliveries, reader 1's events after the migration: %q, want 2 2 1", got)
	}
	var fk int
	if err := db.Write.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign keys on the write connection after the migration: %d, %v", fk, err)
	}

	// The next reader's id is past the erased ones, and erasing the
	// newest does not give theirs to the one after.
	next := func(email string) int64 {
		t.Helper()
		res, err := db.Write.ExecContext(ctx, `INSERT INTO subscribers (email, email_key, created_at, updated_at) VALUES (?1, ?1, '2026-02-01', '2026-02-01')`, email)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		return id
	}
	if id := next("five@example.com"); id != 5 {
		t.Errorf("first reader after the migration has id %d, want 5 (readers 3 and 4 were erased)", id)
	}
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM subscribers WHERE id = 5`); err != nil {
		t.Fatal(err)
	}
	if id := next("six@example.com"); id != 6 {
		t.Errorf("reader after erasing the newest has id %d, want 6", id)
	}

	// Deleting a reader still takes what refers to them along, and the
	// trigger still blanks their events.
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM subscribers WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if got := column(t, db.Read, `SELECT (SELECT COUNT(*) FROM subscriptions) || ' ' || (SELECT COUNT(*) FROM deliveries) || ' ' ||
			(SELECT COUNT(*) FROM events WHERE subscriber_id IS NULL AND email = '' AND diagnostic = '')`); !cmp.Equal(got, []string{"1 1 1"}) {
		t.Errorf("subscriptions, deliveries, blanked events after deleting reader 1: %q, want 1 1 1", got)
	}
}
