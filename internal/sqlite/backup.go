package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Backup writes a copy of the database at src to dst as it was at one
// moment, while other connections and processes go on writing: VACUUM INTO
// reads in one transaction, which WAL lets run beside writers. The copy
// is written under a temporary name in dst's folder, checked, and renamed,
// so dst is always a whole backup: the previous one or the new one. It is
// readable by its owner only (0600): it holds every reader's address and
// the webhooks' secrets, and often lies outside the data folder.
func Backup(ctx context.Context, src, dst string) error {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("back up %s: %w", src, err)
	}
	if same(src, dst) {
		return fmt.Errorf("back up: %s is the database itself; give another file", dst)
	}
	db, err := openReadOnly(src)
	if err != nil {
		return err
	}
	defer db.Close()
	tmp := dst + ".tmp-" + rand.Text()[:8]
	if err := createPrivate(tmp); err != nil {
		return fmt.Errorf("back up %s: %w", src, err)
	}
	defer removeCopy(tmp)
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return fmt.Errorf("back up %s: %w", src, explain(err))
	}
	if err := Check(ctx, tmp); err != nil {
		return fmt.Errorf("back up %s: the copy: %w", src, err)
	}
	return commit(tmp, dst)
}

// Check reports whether the file at path is a Bulletin database that this
// version can run and that passes PRAGMA integrity_check.
func Check(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	db, err := openReadOnly(path)
	if err != nil {
		return err
	}
	defer db.Close()
	return check(ctx, db, path)
}

func check(ctx context.Context, db *sql.DB, path string) error {
	rows, err := db.QueryContext(ctx, `SELECT name FROM migrations`)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return fmt.Errorf("%s is not a Bulletin database (it has no migrations table)", path)
		}
		return fmt.Errorf("%s: %w", path, explain(err))
	}
	applied := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return fmt.Errorf("%s: %w", path, explain(err))
		}
		applied[name] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, explain(err))
	}
	if !applied["migration/001_init.sql"] {
		return fmt.Errorf("%s is not a Bulletin database (its first migration is missing)", path)
	}
	known, _ := fs.Glob(migrationFS, "migration/*.sql")
	for _, k := range known {
		delete(applied, k)
	}
	for name := range applied {
		return fmt.Errorf("%s was written by a newer Bulletin (it has %s): use that version", path, name)
	}
	var problems []string
	rows, err = db.QueryContext(ctx, `PRAGMA integrity_check(5)`)
	if err != nil {
		return fmt.Errorf("%s fails the integrity check: %w", path, explain(err))
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("%s fails the integrity check: %w", path, explain(err))
		}
		problems = append(problems, s)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s fails the integrity check: %w", path, explain(err))
	}
	if len(problems) != 1 || problems[0] != "ok" {
		return fmt.Errorf("%s fails the integrity check: %s", path, strings.Join(problems, "; "))
	}
	return nil
}

// Restore replaces the database at dst with a copy of src, once src has
// passed Check. The database it replaces is kept, with its -wal and -shm
// (which may hold its last commits), as dst.before-restore-TIMESTAMP; that
// name is returned, or "" when there was none. The restored database is
// readable by its owner only (0600), as a backup is. Nothing may have dst
// open: the caller makes sure serve is stopped.
func Restore(ctx context.Context, src, dst string, now time.Time) (string, error) {
	if _, err := os.Stat(src); err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	if same(src, dst) {
		return "", fmt.Errorf("restore: %s is the database itself", src)
	}
	db, err := openReadOnly(src)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if err := check(ctx, db, src); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	// A copy through SQLite rather than of the bytes: it takes in src's
	// own -wal, if it has one, and leaves a file with none.
	tmp := dst + ".restore-" + rand.Text()[:8]
	if err := createPrivate(tmp); err != nil {
		return "", fmt.Errorf("restore %s: %w", src, err)
	}
	defer removeCopy(tmp)
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return "", fmt.Errorf("restore %s: %w", src, explain(err))
	}
	aside, err := moveAside(dst, now)
	if err != nil {
		return "", err
	}
	if err := commit(tmp, dst); err != nil {
		if aside != "" {
			moveBack(aside, dst)
		}
		return "", err
	}
	return aside, nil
}

// removeCopy removes the copy tmp that VACUUM INTO wrote, when it was not
// renamed into place, and the files SQLite keeps beside it while it
// writes: a copy that failed (a disk filling up) left its rollback
// journal, tmp-journal, and a nightly backup that failed so left one more
// every night.
func removeCopy(tmp string) {
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		os.Remove(tmp + suffix)
	}
}

// createPrivate creates the empty file path, readable and writable by its
// owner only, for VACUUM INTO to write into: SQLite would create it with
// the umask's mode, often 0644, and a copy of the database must not be
// readable by every local user even for the moment before a chmod. It
// refuses a file that exists, so a link planted at path is not followed.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}

// moveAside renames dst and its -wal and -shm to a name of their own.
func moveAside(dst string, now time.Time) (string, error) {
	if _, err := os.Stat(dst); errors.Is(err, os.ErrNotExist) {
		// No database, so stale -wal and -shm belong to none.
		os.Remove(dst + "-wal")
		os.Remove(dst + "-shm")
		return "", nil
	}
	aside := dst + ".before-restore-" + now.UTC().Format("20060102T150405Z")
	for i := 2; exists(aside); i++ {
		aside = fmt.Sprintf("%s.before-restore-%s-%d", dst, now.UTC().Format("20060102T150405Z"), i)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		err := os.Rename(dst+suffix, aside+suffix)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			moveBack(aside, dst)
			return "", fmt.Errorf("restore: keep the current database aside: %w", err)
		}
	}
	return aside, nil
}

func moveBack(aside, dst string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Rename(aside+suffix, dst+suffix)
	}
}

// commit syncs tmp and renames it to dst, then syncs the folder so the
// rename survives a power cut.
func commit(tmp, dst string) error {
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	f.Close()
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(dst)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// openReadOnly opens one read-only connection to the database at path.
func openReadOnly(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, explain(err))
	}
	return db, nil
}

// IsReadOnly reports whether err is SQLite's "attempt to write a
// readonly database", which a read-only open of a database in WAL mode
// also gives when it cannot make the -shm file beside it.
func IsReadOnly(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrReadonly
}

// explain says in words what SQLite's codes for a bad file mean.
func explain(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrNotADB:
			return errors.New("not a SQLite database")
		case sqlite3.ErrCorrupt:
			return fmt.Errorf("the file is damaged (%w)", err)
		}
	}
	return err
}

func same(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
