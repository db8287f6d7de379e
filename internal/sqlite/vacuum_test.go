package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
)

func autoVacuum(t *testing.T, db *sql.DB) int {
	t.Helper()
	var mode int
	if err := db.QueryRow(`PRAGMA auto_vacuum`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	return mode
}

func TestOpenMakesANewDatabaseIncremental(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "bulletin.db"))
	defer db.Close()
	if got := autoVacuum(t, db.Write); got != 2 {
		t.Errorf("auto_vacuum = %d, want 2 (incremental)", got)
	}
}

// A database made before incremental vacuum (auto_vacuum none, in WAL
// mode, with data) is switched at open, keeping its rows.
func TestOpenSwitchesAnExistingDatabaseToIncremental(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bulletin.db")
	open(t, path).Close() // Bulletin's tables, as an older version left them
	old, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(`PRAGMA auto_vacuum = NONE; VACUUM; CREATE TABLE keep (v TEXT); INSERT INTO keep VALUES ('here')`); err != nil {
		t.Fatal(err)
	}
	if got := autoVacuum(t, old); got != 0 {
		t.Fatalf("setup: auto_vacuum = %d, want 0", got)
	}
	old.Close()

	db := open(t, path)
	defer db.Close()
	if got := autoVacuum(t, db.Write); got != 2 {
		t.Errorf("auto_vacuum = %d, want 2 (incremental)", got)
	}
	var v string
	if err := db.Read.QueryRow(`SELECT v FROM keep`).Scan(&v); err != nil || v != "here" {
		t.Errorf("kept row = %q, %v; want here", v, err)
	}
}

// Deleting rows leaves free pages; IncrementalVacuum gives them back in
// steps and the file shrinks once the WAL is checkpointed.
func TestIncrementalVacuumShrinksTheFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db := open(t, path)
	defer db.Close()
	_, err := db.Write.ExecContext(ctx, `CREATE TABLE filler (v TEXT);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
		INSERT INTO filler SELECT printf('%0200d', i) FROM n`)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	full, _ := db.PageStats(ctx)
	fullSize := fileSize(t, path)
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM filler`); err != nil {
		t.Fatal(err)
	}
	freed := 0
	for {
		n, err := db.IncrementalVacuum(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		if n > 100 {
			t.Fatalf("one step freed %d pages, want at most 100", n)
		}
		if n == 0 {
			break
		}
		freed += n
	}
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	after, _ := db.PageStats(ctx)
	if after.FreePages != 0 || after.Pages >= full.Pages/2 || freed < int(full.Pages/2) {
		t.Errorf("pages %d (free %d) -> %d (free %d), freed %d: want the free list given back", full.Pages, full.FreePages, after.Pages, after.FreePages, freed)
	}
	if got := fileSize(t, path); got >= fullSize/2 {
		t.Errorf("file %d bytes -> %d, want under half", fullSize, got)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}
