package sqlite_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// TestOpenNamesADamagedFile: a bulletin.db that is not a SQLite file is
// refused with its path and what to do, and left as it was; the error
// said "read auto_vacuum: file is not a database" (a tester's).
func TestOpenNamesADamagedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bulletin.db")
	junk := make([]byte, 4096)
	rand.Read(junk)
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), path)
	if err == nil {
		db.Close()
		t.Fatal("Open of random bytes succeeded")
	}
	for _, want := range []string{path, "not a SQLite database", "bulletin restore"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, junk) {
		t.Error("the damaged file was changed")
	}
}

// TestOpenRefusesAnotherProgramsDatabase: a SQLite file with tables of
// another program and none of Bulletin's is refused, naming them, and
// left as it was; Open rewrote it (VACUUM) and added Bulletin's tables.
func TestOpenRefusesAnotherProgramsDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bulletin.db")
	other, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(`CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')`); err != nil {
		t.Fatal(err)
	}
	other.Close()

	db, err := sqlite.Open(context.Background(), path)
	if err == nil {
		db.Close()
		t.Fatal("Open of another program's database succeeded")
	}
	for _, want := range []string{path, "not a Bulletin database", `"notes"`, "BULLETIN_DATA"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	other, err = sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var tables int
	if err := other.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'`).Scan(&tables); err != nil || tables != 1 {
		t.Errorf("the file has %d tables (%v), want its 1 alone", tables, err)
	}
	var body string
	if err := other.QueryRow(`SELECT body FROM notes`).Scan(&body); err != nil || body != "keep me" {
		t.Errorf("its row reads %q (%v)", body, err)
	}
}
