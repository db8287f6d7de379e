package sqlite_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A new database, and the -wal and -shm beside it, are readable by their
// owner only: they hold every reader's address, as a backup does.
func TestOpenCreatesAPrivateDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "data", "bulletin.db")
	db := open(t, path)
	defer db.Close()
	// A commit and a read while it is open leave both the WAL and the
	// shared-memory file on disk.
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO lists (slug, name, created_at) VALUES ('a', 'A', ?)`, sqlite.Now()); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		if mode := fileMode(t, name); mode != 0o600 {
			t.Errorf("%s has mode %v, want -rw-------", filepath.Base(name), mode)
		}
	}
}

// A database that exists keeps the mode its owner gave it.
func TestOpenKeepsTheModeOfAnExistingDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bulletin.db")
	open(t, path).Close()
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	db := open(t, path)
	defer db.Close()
	if mode := fileMode(t, path); mode != 0o640 {
		t.Errorf("bulletin.db has mode %v after reopening, want -rw-r-----", mode)
	}
}

func fileMode(t *testing.T, name string) fs.FileMode {
	t.Helper()
	st, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}
