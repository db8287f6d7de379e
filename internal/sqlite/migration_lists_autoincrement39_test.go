package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
)

// A database from before 087 keeps every list and what hangs on it
// (subscriptions, a campaign's lists, a feed) when lists is rebuilt with
// AUTOINCREMENT, and a list deleted after it never gives its id to the
// next one made: the unsubscribe link of that list's mail names it by id
// and must not leave another list.
func TestListsRebuiltWithAutoincrementKeepRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db := open(t, path)
	execOnOneConn(t, db, append(beforeAutoincrement("lists", "087_lists_autoincrement.sql",
		`CREATE TABLE lists (
			id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
			public INTEGER NOT NULL DEFAULT 1, digest TEXT NOT NULL DEFAULT 'off' CHECK (digest IN ('daily', 'weekly', 'off')),
			digest_hour INTEGER NOT NULL DEFAULT 8 CHECK (digest_hour BETWEEN 0 AND 23), created_at DATETIME NOT NULL)`,
		`ALTER TABLE lists ADD COLUMN digest_weekday TEXT NOT NULL DEFAULT 'monday'
			CHECK (digest_weekday IN ('monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'))`,
		`ALTER TABLE lists ADD COLUMN timezone TEXT NOT NULL DEFAULT 'UTC'`,
		`ALTER TABLE lists ADD COLUMN from_address TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE lists ADD COLUMN reply_to TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE lists ADD COLUMN welcome TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE lists ADD COLUMN tracking TEXT NOT NULL DEFAULT 'anonymous' CHECK (tracking IN ('off', 'anonymous', 'on'))`,
		`ALTER TABLE lists ADD COLUMN opens INTEGER NOT NULL DEFAULT 0 CHECK (opens IN (0, 1))`,
	),
		`INSERT INTO lists (id, slug, name, description, public, digest, digest_hour, created_at, digest_weekday, timezone,
			from_address, reply_to, welcome, tracking, opens) VALUES
			(1, 'news', 'News', 'Every morning', 1, 'daily', 7, '2026-01-01', 'monday', 'Europe/Paris', 'desk@news.example', '', 'Hello', 'on', 1),
			(2, 'club', 'Club', '', 0, 'weekly', 9, '2026-01-02', 'saturday', 'UTC', '', 'club@news.example', '', 'off', 0)`,
		`INSERT INTO subscribers (id, email, email_key, status, created_at, updated_at) VALUES (1, 'ann@example.com', 'ann@example.com', 'confirmed', '2026-01-03', '2026-01-03')`,
		`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES
			(1, 1, 'active', '2026-01-03', '2026-01-03'), (1, 2, 'active', '2026-01-03', '2026-01-03')`,
		`INSERT INTO feeds (id, url, list_id, created_at) VALUES (1, 'https://news.example/rss', 1, '2026-01-04')`,
	))
	db = migrateKeepingRows(t, db, path, "lists", "lists", "subscriptions", "feeds")
	defer db.Close()
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO lists (slug, name, created_at) VALUES ('news', 'Again', '2026-01-05')`); err == nil {
		t.Error("a second list of the same slug was stored: UNIQUE (slug) is lost")
	}
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO lists (slug, name, created_at, digest) VALUES ('bad', 'Bad', '2026-01-05', 'hourly')`); err == nil {
		t.Error("a list with digest 'hourly' was stored: the CHECK is lost")
	}
	// The newest list goes, with its subscriptions; the next one made has a new id.
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM lists WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	if got := column(t, db.Read, `SELECT list_id FROM subscriptions`); len(got) != 1 || got[0] != "1" {
		t.Errorf("subscriptions after deleting list 2 = %q, want list 1's alone", got)
	}
	res, err := db.Write.ExecContext(ctx, `INSERT INTO lists (slug, name, created_at) VALUES ('garden', 'Gardening', '2026-01-06')`)
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := res.LastInsertId(); id != 3 {
		t.Errorf("the list made after deleting list 2 has id %d, want 3", id)
	}
}
