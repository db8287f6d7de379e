package sqlitetest_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// Open's copy of the database migrated once is the database sqlite.Open
// makes of a new file: the same schema, migrations, rows and file
// settings, private to its owner. Tests that used to get a freshly
// migrated file must not be able to tell the difference.
func TestOpenIsANewlyMigratedDatabase(t *testing.T) {
	ctx := context.Background()
	fresh, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fresh.Close() })
	for i := range 2 { // the first Open migrates, the second copies
		db := sqlitetest.Open(t)
		if diff := cmp.Diff(describe(t, fresh), describe(t, db)); diff != "" {
			t.Errorf("Open number %d differs from a new file opened by sqlite.Open (-new +Open):\n%s", i+1, diff)
		}
		st, err := os.Stat(db.Path)
		if err != nil {
			t.Fatal(err)
		}
		if mode := st.Mode().Perm(); mode != 0o600 {
			t.Errorf("Open number %d: the database has mode %v, want -rw------- as sqlite.Open makes it", i+1, mode)
		}
	}
}

// Each Open is a database of its own: a write to one is not in the next.
func TestOpenGivesEachCallItsOwnDatabase(t *testing.T) {
	a := sqlitetest.Open(t)
	if _, err := a.Write.Exec(`INSERT INTO lists (slug, name, created_at) VALUES ('news', 'News', ?)`, sqlite.Now()); err != nil {
		t.Fatal(err)
	}
	b := sqlitetest.Open(t)
	if a.Path == b.Path {
		t.Fatalf("two Opens share the file %s", a.Path)
	}
	var n int
	if err := b.Read.QueryRow(`SELECT COUNT(*) FROM lists`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("a second Open has %d lists, want none: it sees the first one's write", n)
	}
}

// describe lists what a test could see of db's schema and contents: each
// schema entry, the migrations applied, every table's row count (but a
// virtual table's, which has no rows of its own), the AUTOINCREMENT
// counters, and the file settings that a new file gets from sqlite.Open.
func describe(t *testing.T, db *sqlite.DB) []string {
	t.Helper()
	var out []string
	add := func(q string) {
		t.Helper()
		rows, err := db.Write.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			line := q + ":"
			for _, v := range vals {
				line += fmt.Sprintf(" %q", v.String)
			}
			out = append(out, line)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	add(`SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name`)
	add(`SELECT name FROM migrations ORDER BY name`)
	add(`SELECT name, seq FROM sqlite_sequence ORDER BY name`)
	for _, p := range []string{"journal_mode", "auto_vacuum", "page_size", "user_version", "application_id", "encoding", "foreign_keys"} {
		add(`PRAGMA ` + p)
	}
	tables, err := sqlite.Column[string](db.Write.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name <> 'migrations'
		AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name`))
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		add(`SELECT COUNT(*) FROM "` + table + `"`)
	}
	return out
}
