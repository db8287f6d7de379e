// Package sqlitetest gives tests a real Bulletin database: a SQLite file in
// the test's temporary folder, migrated, and closed when the test ends.
package sqlitetest

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// Open opens a new database file for t, closed at the end of the test.
// The file starts as a copy of one migrated once for the test binary:
// running every migration into each test's own file was a good part of
// many tests' time under the race detector, hundreds of times a package.
// sqlite.Open still opens the copy as it would any file, and finds every
// migration applied.
func Open(t testing.TB) *sqlite.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	if err := copyMigrated(path); err != nil {
		t.Fatalf("open test database: %v", err)
	}
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// migrated is the file of a new database after its migrations, made by
// the first Open of the test binary.
var migrated struct {
	once sync.Once
	file []byte
	err  error
}

// copyMigrated writes the migrated database to path, private to its owner
// as sqlite.Open makes a new file.
func copyMigrated(path string) error {
	migrated.once.Do(func() { migrated.file, migrated.err = migrate() })
	if migrated.err != nil {
		return migrated.err
	}
	return os.WriteFile(path, migrated.file, 0o600)
}

// migrate makes a new database in a folder of its own and returns its
// file once closed, when the last of its write-ahead log is in the file.
func migrate() ([]byte, error) {
	dir, err := os.MkdirTemp("", "sqlitetest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "bulletin.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		return nil, err
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		return nil, errors.New("the migrated database left writes in its write-ahead log after closing")
	}
	return os.ReadFile(path)
}

// Plan returns SQLite's plan for q with args on db (EXPLAIN QUERY PLAN),
// one step a line.
func Plan(t testing.TB, db *sql.DB, q string, args ...any) string {
	t.Helper()
	rows, err := db.Query(`EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// Fill makes the disk full for db's writes to tables, without touching
// the disk: no page can be added to the file (PRAGMA max_page_count on
// the one write connection, its free pages given back first), and a
// TEMP trigger on each table makes every insert or update of a row in it
// add a page's worth and more, so that the write fails with SQLite's
// SQLITE_FULL, "database or disk is full", as on a full disk, instead of
// fitting in a page's free space by chance. Free undoes it.
func Fill(t testing.TB, db *sqlite.DB, tables ...string) {
	t.Helper()
	stmts := []string{
		`CREATE TABLE IF NOT EXISTS test_fill (b BLOB)`,
		`PRAGMA incremental_vacuum`,
		`PRAGMA max_page_count = 1`, // cannot go below the file's size: it stops there
	}
	for _, table := range tables {
		for _, op := range []string{"INSERT", "UPDATE"} {
			stmts = append(stmts, `CREATE TEMP TRIGGER IF NOT EXISTS test_fill_`+strings.ToLower(op)+`_`+table+
				` AFTER `+op+` ON main.`+table+` BEGIN INSERT INTO main.test_fill (b) VALUES (zeroblob(65536)); END`)
		}
	}
	for _, q := range stmts {
		if _, err := db.Write.Exec(q); err != nil {
			t.Fatalf("fill the database: %s: %v", q, err)
		}
	}
}

// Free undoes Fill: the file may grow again and the triggers are gone.
func Free(t testing.TB, db *sqlite.DB, tables ...string) {
	t.Helper()
	stmts := []string{`PRAGMA max_page_count = 4294967294`}
	for _, table := range tables {
		stmts = append(stmts, `DROP TRIGGER IF EXISTS temp.test_fill_insert_`+table, `DROP TRIGGER IF EXISTS temp.test_fill_update_`+table)
	}
	for _, q := range stmts {
		if _, err := db.Write.Exec(q); err != nil {
			t.Fatalf("free the database: %s: %v", q, err)
		}
	}
}
