package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

func open(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return db
}

func TestOpenMigratesOnceOnARealFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "bulletin.db")
	db := open(t, path)
	first, err := db.Migrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) == 0 || first[0] != "migration/001_init.sql" {
		t.Fatalf("migrations = %v, want 001_init first", first)
	}
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO lists (slug, name, created_at) VALUES ('a', 'A', ?)`, sqlite.Now()); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// Reopening runs nothing twice and keeps the data.
	db = open(t, path)
	defer db.Close()
	again, err := db.Migrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("migrations after reopen (-want +got):\n%s", diff)
	}
	var n int
	if err := db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM lists`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("lists after reopen = %d, %v; want 1", n, err)
	}
	for _, table := range []string{"subscribers", "subscriptions", "articles", "campaigns", "deliveries",
		"admins", "sessions", "api_tokens", "digest_marks", "feeds", "erasures"} {
		if _, err := db.Read.ExecContext(ctx, `SELECT 1 FROM `+table+` LIMIT 1`); err != nil {
			t.Errorf("table %s: %v", table, err)
		}
	}
}

// Every pooled connection, not just the first, must carry the pragmas.
func TestPragmasOnEveryConnection(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "bulletin.db"))
	defer db.Close()
	for i := 0; i < 3; i++ {
		c, err := db.Read.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var mode string
		var fk, busy int
		if err := c.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busy); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" || fk != 1 || busy != 5000 {
			t.Errorf("read conn %d: journal_mode=%s foreign_keys=%d busy_timeout=%d", i, mode, fk, busy)
		}
	}
	var fk int
	if err := db.Write.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("write conn foreign_keys = %d, %v", fk, err)
	}
	// Foreign keys are enforced on the writer.
	_, err := db.Write.ExecContext(ctx, `INSERT INTO subscriptions (subscriber_id, list_id, created_at, updated_at) VALUES (99, 99, ?, ?)`, sqlite.Now(), sqlite.Now())
	if err == nil {
		t.Error("insert with dangling foreign keys succeeded")
	}
	// The read pool cannot write.
	if _, err := db.Read.ExecContext(ctx, `INSERT INTO lists (slug, name, created_at) VALUES ('b', 'B', ?)`, sqlite.Now()); err == nil {
		t.Error("write through the read pool succeeded")
	}
}
