package sqlite_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// A write that fails for a full disk is, to a user, "cannot store
// anything now" (EUNAVAILABLE, no SQL), by Tx and ConnTx alike; the log
// keeps SQLite's words. While it lasts Ping fails, though reads still
// work: /readyz said "ok" while every commit failed. A commit that
// changes nothing proves nothing and leaves it failing; one that stores a
// row clears it.
func TestFullDiskIsUnavailable(t *testing.T) {
	ctx := context.Background()
	db := sqlitetest.Open(t)
	insert := func(q sqlite.Querier, slug string) error {
		_, err := q.ExecContext(ctx, `INSERT INTO lists (slug, name, created_at) VALUES (?, ?, ?)`, slug, slug, sqlite.Now())
		return err
	}
	sqlitetest.Fill(t, db, "lists")
	for name, err := range map[string]error{
		"Tx":     db.Tx(ctx, func(tx *sql.Tx) error { return insert(tx, "one") }),
		"ConnTx": db.ConnTx(ctx, func(q sqlite.Querier) error { return insert(q, "two") }),
	} {
		if code := bulletin.ErrorCode(err); code != bulletin.EUNAVAILABLE {
			t.Errorf("%s on a full disk: code %q (%v), want %q", name, code, err, bulletin.EUNAVAILABLE)
		}
		if msg := bulletin.ErrorMessage(err); !strings.Contains(msg, "try again later") || strings.Contains(msg, "database or disk") {
			t.Errorf("%s: the user is told %q", name, msg)
		}
		if err == nil || !strings.Contains(err.Error(), "database or disk is full") || strings.Contains(err.Error(), "rollback") {
			t.Errorf("%s: the log is told %v, want SQLite's words and nothing of a rollback", name, err)
		}
	}
	if err := db.Ping(ctx); err == nil || !strings.Contains(err.Error(), "full disk") {
		t.Errorf("Ping on a full disk: %v, want it to say the database is not writable", err)
	}
	sqlitetest.Free(t, db, "lists")
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE lists SET name = name WHERE 0`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(ctx); err == nil {
		t.Error("a commit that changed nothing made Ping pass")
	}
	if err := db.ConnTx(ctx, func(q sqlite.Querier) error { return insert(q, "three") }); err != nil {
		t.Fatalf("once freed: %v", err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping after a row was stored again: %v", err)
	}
}

// When COMMIT fails with the transaction over already (SQLite rolls back
// itself on a full disk or an I/O error), the error is the commit's
// alone: it used to end in "rollback: cannot rollback - no transaction
// is active" on a line of its own in the log. The connection stays in
// use, out of any transaction.
func TestConnTxCommitFailedAfterSQLiteRolledBack(t *testing.T) {
	ctx := context.Background()
	db := sqlitetest.Open(t)
	err := db.ConnTx(ctx, func(q sqlite.Querier) error {
		_, err := q.ExecContext(ctx, `ROLLBACK`) // as SQLite does when a COMMIT fails for a full disk
		return err
	})
	if err == nil || !strings.HasPrefix(err.Error(), "commit: ") || strings.Contains(err.Error(), "rollback") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("ConnTx = %q, want the commit's error alone", err)
	}
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO lists (slug, name, created_at) VALUES ('after', 'after', ?)`, sqlite.Now())
		return err
	}); err != nil {
		t.Fatalf("Tx after: %v", err)
	}
}
