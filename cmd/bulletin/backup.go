package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-sqlite3"

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
	f, err := os.Open(src)
	if err != nil {
		return databaseError(m.Config.Data, src, err)
	}
	f.Close()
	if err := backupTarget(src, rest[0], m.Stderr); err != nil {
		return err
	}
	if err := sqlite.Backup(ctx, src, rest[0]); err != nil {
		if why := walFilesError(m.Config.Data, src, err); why != nil {
			return why
		}
		if why := shmError(m.Config.Data, src, err); why != nil {
			return why
		}
		if why := diskFull(err); why != nil {
			// FILE is untouched: the copy is made under another name.
			return fmt.Errorf("back up %s: the disk of the folder %s filled up during the copy (%v): free some space on it, or give a folder on another disk; %s was not written (a backup already there is unchanged)",
				src, filepath.Dir(rest[0]), why, rest[0])
		}
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
	// A serve running on the data folder is said first, whatever FILE
	// is; a data folder not there yet (a new machine) has none, and is
	// made, with its serve.lock, only once FILE is found to be a backup:
	// a mistyped FILE, or BULLETIN_DATA, left them behind.
	dst := filepath.Join(m.Config.Data, "bulletin.db")
	var lock *dataLock
	if _, err := os.Stat(m.Config.Data); err == nil {
		if lock, err = lockData(m.Config.Data, "stop it before restoring"); err != nil {
			return err
		}
		defer lock.Close()
	}
	if err := restoreSource(rest[0], dst); err != nil {
		return err
	}
	if lock == nil {
		if lock, err = lockData(m.Config.Data, "stop it before restoring"); err != nil {
			return err
		}
		defer lock.Close()
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
	if list, err := goingOutIn(ctx, dst, time.Now()); err != nil {
		fmt.Fprintf(m.Stderr, "Warning: could not read which campaigns the restored database has going out (%v): "+
			"check /admin/campaigns as soon as serve is up, as it sends on those where the backup left them.\n", err)
	} else {
		warnGoingOut(m.Stderr, list)
	}
	if _, err := os.Stat(filepath.Join(m.Config.Data, "secret")); err != nil && m.Config.Secret == "" {
		fmt.Fprintf(m.Stderr, "Note: %s has no secret file: copy DATA/secret from the old data folder (or set BULLETIN_SECRET), "+
			"or the unsubscribe and preferences links in mail already sent stop working.\n", m.Config.Data)
	}
	return nil
}

// databaseError says what is wrong when the database at src, in the data
// folder data, cannot be opened for the backup: it is not there, this
// user may not enter the folder it would be in, or may not read it
// ("stat …: permission denied" said neither which user to be).
func databaseError(data, src string, err error) error {
	switch {
	case errors.Is(err, os.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		// A data folder under a file (ENOTDIR) holds no database either.
		return fmt.Errorf("no database at %s: check BULLETIN_DATA", src)
	case errors.Is(err, os.ErrPermission):
		// A folder this user may not enter hides whether a database is
		// there at all: "cannot read the database" was said of data
		// folders with none in them too.
		switch dir := deniedFolder(src); {
		case dir == filepath.Clean(data):
			return fmt.Errorf("this user cannot enter the data folder %s (permission denied), so it cannot tell whether a database is there: "+
				"run bulletin backup as the user who owns that folder, the one bulletin serve runs as (ls -ld %s names it)", data, data)
		case dir != "":
			return fmt.Errorf("this user cannot enter the folder %s (permission denied), above the data folder %s, so it cannot tell whether a database is there: "+
				"run bulletin backup as the user bulletin serve runs as, or as one who may enter %s (ls -ld %s names its owner)", dir, data, dir, dir)
		}
		return fmt.Errorf("this user cannot read the database %s (permission denied): run bulletin backup as the user who owns the data folder %s "+
			"(ls -ld %s names it)", src, data, data)
	}
	return fmt.Errorf("back up %s: %w", src, err)
}

// shmError says why SQLite could not open the database src for the
// backup when the data folder data cannot be written: SQLite reads a
// database in WAL mode through its -shm file, which it must make when
// serve is stopped. A user who may read the database but not write in
// its folder got "attempt to write a readonly database"; a data folder
// on a read-only file system (a snapshot mounted read-only, say) got
// "unable to open database file: no such file or directory", of a
// database that is there. It returns nil for other failures.
func shmError(data, src string, err error) error {
	var se sqlite3.Error
	if !errors.As(err, &se) || se.Code != sqlite3.ErrReadonly && se.Code != sqlite3.ErrCantOpen {
		return nil
	}
	werr := writeProbe(data)
	switch {
	case werr == nil:
		return nil
	case errors.Is(werr, syscall.EROFS):
		return fmt.Errorf("this user can read the database %s but the data folder %s is on a read-only file system, and SQLite needs to make its shared-memory file (bulletin.db-shm) there to read a database in WAL mode: "+
			"mount it read-write, or back up a copy of the data folder on a disk that can be written", src, data)
	case errors.Is(werr, os.ErrPermission):
		return fmt.Errorf("this user can read the database %s but cannot write in the data folder %s, and SQLite needs to make its shared-memory file (bulletin.db-shm) there to read a database in WAL mode: "+
			"run bulletin backup as the user who owns the data folder, the one bulletin serve runs as (ls -ld %s names it)", src, data, data)
	}
	return fmt.Errorf("this user can read the database %s but cannot write in the data folder %s (%v), and SQLite needs to make its shared-memory file (bulletin.db-shm) there to read a database in WAL mode",
		src, data, errno(werr))
}

// canWriteIn reports whether this user can make a file in dir.
func canWriteIn(dir string) bool { return writeProbe(dir) == nil }

// writeProbe makes a file in dir and removes it, and returns why it
// could not.
func writeProbe(dir string) error {
	f, err := os.CreateTemp(dir, ".bulletin-probe-*")
	if err != nil {
		return err
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// deniedFolder returns the folder on the way to file that this user may
// not enter (search), when that is why file cannot be looked at: the
// nearest folder above file that this user can look at, since it could
// reach that one but nothing in it. It returns "" when file can be looked
// at (then it is file itself this user may not read) or when something
// else is wrong.
func deniedFolder(file string) string {
	if _, err := os.Stat(file); !errors.Is(err, os.ErrPermission) {
		return ""
	}
	for dir := filepath.Dir(file); ; dir = filepath.Dir(dir) {
		_, err := os.Stat(dir)
		switch {
		case err == nil:
			// Every folder above dir can be entered, since it could be
			// looked at; the one below it could not: dir is the bar.
			return dir
		case !errors.Is(err, os.ErrPermission), filepath.Dir(dir) == dir:
			return ""
		}
	}
}

// backupTarget says what is wrong with FILE, dst, as the place of a
// backup: the database itself, a folder, in a folder that is not there or
// that this user cannot write. It writes a warning to stderr when the
// file it made to find out cannot be removed.
func backupTarget(src, dst string, stderr io.Writer) error {
	if sameFile(src, dst) {
		return usagef("%s is the database itself: give another file, like /srv/backups/bulletin.db", dst)
	}
	if isDir(dst) {
		return usagef("%s is a folder: give the backup a file name, like %s", dst, filepath.Join(dst, "bulletin.db"))
	}
	dir := filepath.Dir(dst)
	st, err := os.Stat(dir)
	switch {
	case err == nil && !st.IsDir():
		return usagef("%s: %s is a file, not a folder: give the backup a file name in a folder", dst, dir)
	case errors.Is(err, os.ErrNotExist):
		return usagef("%s: the folder %s does not exist; create it first", dst, dir)
	case errors.Is(err, syscall.ENOTDIR):
		return usagef("%s: the folder %s does not exist (a folder in its path is a file): give the backup a file name in a folder", dst, dir)
	case err != nil:
		return folderWriteError(dst, dir, err)
	}
	// The copy is written beside FILE first: a folder this user cannot
	// write failed with "open FILE.tmp-XXXX: permission denied", a name
	// the user never gave.
	f, err := os.CreateTemp(dir, ".bulletin-backup-check-*")
	if err != nil {
		return folderWriteError(dst, dir, err)
	}
	f.Close()
	if err := removeFile(f.Name()); err != nil {
		// The backup can go on; the file left would puzzle whoever
		// finds it, unless they are told what it is.
		fmt.Fprintf(stderr, "Warning: %s is an empty file bulletin backup made to check that it can write in %s, and could not remove (%v): delete it\n",
			f.Name(), dir, errno(err))
	}
	// A disk with no space left takes the empty check file (a name in a
	// folder needs no block) but not a page of the copy: it was said to
	// have "filled up during the copy", which it never began, while
	// README says a full disk is refused before the copy.
	if free, ok := freeSpace(dir); ok && free == 0 {
		return folderWriteError(dst, dir, syscall.ENOSPC)
	}
	return nil
}

// freeSpace is diskFree; a test stands in a disk with no space left,
// which it cannot mount.
var freeSpace = diskFree

// removeFile is os.Remove; a test stands in a removal that fails, which
// root, as tests run, never meets otherwise.
var removeFile = os.Remove

// folderWriteError says why this user cannot make a file in dir, the
// folder of the backup dst, and what to do about it; err is the error of
// the attempt. A folder that cannot take a file (no permission, a
// read-only file system) was the wrong one to give: bad usage. A full disk
// is not the argument's fault.
func folderWriteError(dst, dir string, err error) error {
	switch {
	case errors.Is(err, os.ErrPermission):
		return usagef("%s: this user cannot write in the folder %s (permission denied): give a folder it can write, or run the backup as a user who can, "+
			"or let this user write there (chmod, chown)", dst, dir)
	case errors.Is(err, syscall.EROFS):
		return usagef("%s: the folder %s is on a read-only file system: give a folder on a disk that can be written, or mount this one read-write", dst, dir)
	case errors.Is(err, syscall.ENOSPC):
		return fmt.Errorf("%s: the disk of the folder %s is full (no space left on device): free some space on it, or give a folder on another disk", dst, dir)
	case errors.Is(err, syscall.EDQUOT):
		return fmt.Errorf("%s: this user's disk quota in the folder %s is used up (disk quota exceeded): free some of its files, or give a folder on another disk", dst, dir)
	}
	return usagef("%s: this user cannot write in the folder %s (%v): give a folder it can write", dst, dir, errno(err))
}

// errno is err without the path of its *fs.PathError: the file that
// checks a folder is no name the user gave.
func errno(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// diskFull returns what says, in err, that a disk was full: SQLite's
// SQLITE_FULL, of the copy, or the system's ENOSPC or EDQUOT, of its last
// steps; nil when nothing does.
func diskFull(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && se.Code == sqlite3.ErrFull {
		return se
	}
	for _, full := range []syscall.Errno{syscall.ENOSPC, syscall.EDQUOT} {
		if errors.Is(err, full) {
			return full
		}
	}
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
