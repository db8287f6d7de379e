package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// backup writes a consistent copy of the database to FILE, while serve
// runs and sends if it does.
func (m *Main) backup(ctx context.Context, args []string) error {
	rest, err := m.ParseFlags("backup", args, nil)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("use: bulletin backup FILE")
	}
	src := filepath.Join(m.Config.Data, "bulletin.db")
	// A data folder under a file (ENOTDIR) holds no database either.
	if _, err := os.Stat(src); errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("no database at %s: check BULLETIN_DATA", src)
	}
	if err := backupTarget(src, rest[0]); err != nil {
		return err
	}
	if err := sqlite.Backup(ctx, src, rest[0]); err != nil {
		return err
	}
	size := int64(0)
	if st, err := os.Stat(rest[0]); err == nil {
		size = st.Size()
	}
	fmt.Fprintf(m.Stdout, "backed up %s to %s (%.1f MB)\n", src, rest[0], float64(size)/1e6)
	return nil
}

// restore puts a backup in place of the database, with serve stopped: it
// holds the data folder's lock while it works, so serve cannot start
// meanwhile either.
func (m *Main) restore(ctx context.Context, args []string) error {
	rest, err := m.ParseFlags("restore", args, nil)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("use: bulletin restore FILE (with bulletin serve stopped)")
	}
	lock, err := lockData(m.Config.Data, "stop it before restoring")
	if err != nil {
		return err
	}
	defer lock.Close()
	dst := filepath.Join(m.Config.Data, "bulletin.db")
	if err := restoreSource(rest[0], dst); err != nil {
		return err
	}
	aside, err := sqlite.Restore(ctx, rest[0], dst, time.Now())
	if err != nil {
		return notABackup(err)
	}
	if aside != "" {
		fmt.Fprintf(m.Stdout, "restored %s into %s; the database it replaced is kept as %s\n", rest[0], dst, aside)
	} else {
		fmt.Fprintf(m.Stdout, "restored %s into %s\n", rest[0], dst)
	}
	if _, err := os.Stat(filepath.Join(m.Config.Data, "secret")); err != nil && m.Config.Secret == "" {
		fmt.Fprintf(m.Stderr, "Note: %s has no secret file: copy DATA/secret from the old data folder (or set BULLETIN_SECRET), "+
			"or the unsubscribe and preferences links in mail already sent stop working.\n", m.Config.Data)
	}
	return nil
}

// backupTarget says, as a usage error, what is wrong with FILE as the
// place of a backup: the database itself, a folder, or in a folder that
// is not there.
func backupTarget(src, dst string) error {
	if sameFile(src, dst) {
		return usagef("%s is the database itself: give another file, like /srv/backups/bulletin.db", dst)
	}
	if isDir(dst) {
		return usagef("%s is a folder: give the backup a file name, like %s", dst, filepath.Join(dst, "bulletin.db"))
	}
	dir := filepath.Dir(dst)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return usagef("%s: the folder %s does not exist; create it first", dst, dir)
	}
	// The copy is written beside FILE first: a folder this user cannot
	// write failed with "open FILE.tmp-XXXX: permission denied", a name
	// the user never gave.
	f, err := os.CreateTemp(dir, ".bulletin-backup-check-*")
	if err != nil {
		why := err
		if errors.Is(err, os.ErrPermission) {
			why = os.ErrPermission
		} else if errors.Is(err, syscall.EROFS) {
			why = syscall.EROFS
		}
		return usagef("%s: this user cannot write in the folder %s (%v): give a folder it can write, or run the backup as a user who can", dst, dir, why)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// restoreSource says, as a usage error, what is wrong with FILE as the
// backup to restore: not there, a folder, or the database itself.
func restoreSource(src, dst string) error {
	if st, err := os.Stat(src); err != nil {
		return fileArgError(src, "the backup file that bulletin backup wrote", err)
	} else if st.IsDir() {
		return usagef("%s is a folder: give the backup file that bulletin backup wrote, like %s", src, filepath.Join(src, "bulletin.db"))
	}
	if sameFile(src, dst) {
		return usagef("%s is the database itself: give a backup that bulletin backup wrote", src)
	}
	return nil
}

// fileArgError says, as a usage error, why the file an argument names
// cannot be opened, and what to give instead: "stat nope.db: no such file
// or directory" said neither in the user's words.
func fileArgError(path, want string, err error) error {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return usagef("%s does not exist: give %s", path, want)
	case errors.Is(err, syscall.ENOTDIR):
		return usagef("%s does not exist (a folder in its path is a file): give %s", path, want)
	case errors.Is(err, os.ErrPermission):
		return usagef("%s cannot be read by this user (permission denied): let it read the file, or run the command as the file's owner", path)
	}
	return usagef("%v", err)
}

// notABackup makes the refusal of a file that is no Bulletin database
// (or one of a newer Bulletin) a usage error: the wrong file was given.
func notABackup(err error) error {
	msg := err.Error()
	for _, s := range []string{"not a SQLite database", "is not a Bulletin database"} {
		if strings.Contains(msg, s) {
			return usageError{msg + ": give a file that bulletin backup wrote"}
		}
	}
	if strings.Contains(msg, "was written by a newer Bulletin") { // it says what to use
		return usageError{msg}
	}
	return err
}

func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}
