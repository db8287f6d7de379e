package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

func count(t *testing.T, db *sqlite.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Read.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A backup taken while another connection commits is one consistent
// moment: each transaction's two rows are both in it or both not.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := open(t, filepath.Join(dir, "bulletin.db"))
	defer db.Close()
	var written atomic.Int64
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				for _, suffix := range []string{"a", "b"} {
					if _, err := tx.Exec(`INSERT INTO lists (slug, name, created_at) VALUES (?, 'L', ?)`,
						strings.Repeat("x", 200)+string(rune('0'+i%10))+time.Now().Format("150405.000000000")+suffix, sqlite.Now()); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				done <- err
				return
			}
			written.Add(2)
		}
	}()
	for written.Load() < 2000 {
		time.Sleep(5 * time.Millisecond)
	}
	backup := filepath.Join(t.TempDir(), "copy.db")
	if err := sqlite.Backup(ctx, db.Path, backup); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatalf("writer: %v", err)
	}
	if err := sqlite.Check(ctx, backup); err != nil {
		t.Fatalf("Check of the backup: %v", err)
	}
	copyDB := open(t, backup)
	defer copyDB.Close()
	n := count(t, copyDB, "lists")
	if n < 2000 || n%2 != 0 || n > count(t, db, "lists") {
		t.Errorf("backup has %d lists; want an even number from 2000 to %d", n, count(t, db, "lists"))
	}
	// The backup is one file: no -wal beside it holds part of it.
	if _, err := os.Stat(backup + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("a temporary file is left: %v", err)
	}
	// A second backup to the same name replaces the first.
	if err := sqlite.Backup(ctx, db.Path, backup); err != nil {
		t.Fatalf("second Backup: %v", err)
	}
	if err := sqlite.Backup(ctx, db.Path, db.Path); err == nil {
		t.Error("a backup over the database itself was allowed")
	}
	if err := sqlite.Backup(ctx, filepath.Join(dir, "nope.db"), filepath.Join(dir, "x.db")); err == nil {
		t.Error("a backup of a missing database succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "nope.db")); !os.IsNotExist(err) {
		t.Error("Backup created the missing database")
	}
}

// Restore checks the file before it touches anything, and keeps the
// replaced database, with its WAL, aside.
func TestRestore(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	good := filepath.Join(src, "good.db")
	db := open(t, filepath.Join(src, "bulletin.db"))
	if _, err := db.Write.Exec(`INSERT INTO lists (slug, name, created_at) VALUES ('from-backup', 'B', ?)`, sqlite.Now()); err != nil {
		t.Fatal(err)
	}
	if err := sqlite.Backup(ctx, db.Path, good); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// The data folder as a crash left it: the last commit only in the WAL.
	data := t.TempDir()
	live := open(t, filepath.Join(t.TempDir(), "bulletin.db"))
	if _, err := live.Write.Exec(`INSERT INTO lists (slug, name, created_at) VALUES ('before-restore', 'A', ?)`, sqlite.Now()); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		buf, err := os.ReadFile(live.Path + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(data, "bulletin.db"+suffix), buf, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	live.Close()
	if fi, err := os.Stat(filepath.Join(data, "bulletin.db-wal")); err != nil || fi.Size() == 0 {
		t.Fatalf("the crashed folder has no WAL to keep: %v", err)
	}
	dst := filepath.Join(data, "bulletin.db")
	before, _ := os.ReadFile(dst)

	text := filepath.Join(src, "notes.txt")
	os.WriteFile(text, []byte(strings.Repeat("not a database\n", 100)), 0o600)
	other := filepath.Join(src, "other.db")
	if o, err := sql.Open("sqlite3", other); err == nil {
		o.Exec(`CREATE TABLE t (x)`)
		o.Close()
	}
	corrupt := corruptCopy(t)
	for _, tc := range []struct{ file, want string }{
		{filepath.Join(src, "missing.db"), "no such file"},
		{text, "not a SQLite database"},
		{other, "not a Bulletin database"},
		{corrupt, "integrity"},
	} {
		_, err := sqlite.Restore(ctx, tc.file, dst, time.Now())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Restore(%s) = %v, want an error with %q", filepath.Base(tc.file), err, tc.want)
		}
		if now, _ := os.ReadFile(dst); !bytes.Equal(before, now) {
			t.Fatalf("Restore(%s) failed but changed the database", filepath.Base(tc.file))
		}
	}

	at := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	aside, err := sqlite.Restore(ctx, good, dst, at)
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if want := dst + ".before-restore-20250304T050607Z"; aside != want {
		t.Errorf("aside = %s, want %s", aside, want)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(dst + suffix); !os.IsNotExist(err) {
			t.Errorf("a stale %s is left beside the restored database: %v", suffix, err)
		}
	}
	restored := open(t, dst)
	defer restored.Close()
	var slug string
	if err := restored.Read.QueryRow(`SELECT slug FROM lists`).Scan(&slug); err != nil || slug != "from-backup" {
		t.Errorf("restored database has list %q, %v", slug, err)
	}
	kept := open(t, aside)
	defer kept.Close()
	if err := kept.Read.QueryRow(`SELECT slug FROM lists`).Scan(&slug); err != nil || slug != "before-restore" {
		t.Errorf("the database kept aside has list %q, %v; want the commit that was only in its WAL", slug, err)
	}
}

// corruptCopy writes a backup of a database of some size and overwrites
// part of its pages.
func corruptCopy(t *testing.T) string {
	t.Helper()
	db := open(t, filepath.Join(t.TempDir(), "big.db"))
	for i := 0; i < 300; i++ {
		if _, err := db.Write.Exec(`INSERT INTO lists (slug, name, created_at) VALUES (?, ?, ?)`,
			strings.Repeat("s", 100)+string(rune('a'+i%26))+time.Now().Format(".000000000"), strings.Repeat("n", 300), sqlite.Now()); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "corrupt.db")
	if err := sqlite.Backup(context.Background(), db.Path, out); err != nil {
		t.Fatal(err)
	}
	db.Close()
	buf, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(buf) / 2; i < len(buf)/2+8192 && i < len(buf); i++ {
		buf[i] ^= 0x5a
	}
	if err := os.WriteFile(out, buf, 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}
