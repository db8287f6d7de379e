package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// ConnTx commits what fn wrote, and undoes all of it when fn fails or
// panics, leaving the one write connection out of any transaction.
func TestConnTxCommitsOrUndoes(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "bulletin.db"))
	defer db.Close()
	insert := func(q sqlite.Querier, slug string) error {
		_, err := q.ExecContext(ctx, `INSERT INTO lists (slug, name, created_at) VALUES (?, ?, ?)`, slug, slug, sqlite.Now())
		return err
	}
	if err := db.ConnTx(ctx, func(q sqlite.Querier) error { return insert(q, "kept") }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := db.ConnTx(ctx, func(q sqlite.Querier) error {
		if err := insert(q, "failed"); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("ConnTx = %v, want fn's error", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("fn's panic did not reach the caller")
			}
		}()
		db.ConnTx(ctx, func(q sqlite.Querier) error {
			insert(q, "panicked")
			panic("fn panics")
		})
	}()
	// A statement breaking a constraint fails fn; what came before it in
	// the transaction goes too.
	if err := db.ConnTx(ctx, func(q sqlite.Querier) error {
		if err := insert(q, "before-duplicate"); err != nil {
			return err
		}
		return insert(q, "kept")
	}); err == nil {
		t.Fatal("a duplicate slug committed")
	}
	// The connection is back in the pool outside a transaction: a *sql.Tx
	// begins on it and commits.
	if err := db.Tx(ctx, func(tx *sql.Tx) error { return insert(tx, "after") }); err != nil {
		t.Fatalf("Tx after ConnTx: %v", err)
	}
	got := column(t, db.Read, `SELECT slug FROM lists ORDER BY id`)
	if len(got) != 2 || got[0] != "kept" || got[1] != "after" {
		t.Errorf("lists = %q, want [kept after]", got)
	}
}
