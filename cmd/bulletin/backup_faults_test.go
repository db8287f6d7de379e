package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/mattn/go-sqlite3"
)

// A folder the backup cannot write in is refused with what is wrong with
// it and what to do, by the error of the file made to find out: any such
// error read "this user cannot write in the folder", also a full disk or
// a read-only file system, where no chmod helps, and one that was neither
// named the check's own file, .bulletin-backup-check-N, that the user
// never gave. Tests run as root, which no folder's mode stops, hence the
// errors fed in.
func TestFolderWriteErrorSaysWhatIsWrong(t *testing.T) {
	const dst, dir = "/srv/backups/b.db", "/srv/backups"
	for _, tc := range []struct {
		errno syscall.Errno
		usage bool // exit 2: the folder was the wrong one to give
		want  []string
	}{
		{syscall.EACCES, true, []string{"this user cannot write in the folder /srv/backups (permission denied)", "give a folder it can write",
			"run the backup as a user who can", "chmod"}},
		{syscall.EPERM, true, []string{"this user cannot write in the folder /srv/backups (permission denied)"}},
		{syscall.EROFS, true, []string{"the folder /srv/backups is on a read-only file system", "give a folder on a disk that can be written"}},
		{syscall.ENOSPC, false, []string{"the disk of the folder /srv/backups is full", "free some space on it, or give a folder on another disk"}},
		{syscall.EDQUOT, false, []string{"disk quota in the folder /srv/backups is used up"}},
		{syscall.EIO, true, []string{"cannot write in the folder /srv/backups (" + syscall.EIO.Error() + ")"}},
	} {
		t.Run(tc.errno.Error(), func(t *testing.T) {
			probe := filepath.Join(dir, ".bulletin-backup-check-1234")
			err := folderWriteError(dst, dir, &fs.PathError{Op: "open", Path: probe, Err: tc.errno})
			msg := err.Error()
			if !strings.HasPrefix(msg, dst+": ") {
				t.Errorf("%q does not begin with the FILE given", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q does not say %q", msg, w)
				}
			}
			if strings.Contains(msg, "backup-check") {
				t.Errorf("%q names the check's own file", msg)
			}
			if usage := errors.As(err, new(usageError)); usage != tc.usage {
				t.Errorf("%q: bad usage %v, want %v", msg, usage, tc.usage)
			}
			for _, other := range []string{"permission denied", "read-only", "full", "quota"} {
				if !strings.Contains(strings.Join(tc.want, " "), other) && strings.Contains(msg, other) {
					t.Errorf("%q says %q, which is not the fault", msg, other)
				}
			}
		})
	}
}

// A FILE whose folder is a file is refused as such: it was said not to
// exist, and to be created first, which it cannot be.
func TestBackupIntoAFileAsFolder(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	if code, _, stderr := run(t, env, "", "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	file := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(file, []byte("a file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"backup", filepath.Join(file, "b.db")}
	code, _, stderr := run(t, env, "", args...)
	saidOneLine(t, args, code, stderr, 2, "bulletin backup: "+filepath.Join(file, "b.db")+": "+file+" is a file, not a folder: give the backup a file name in a folder")

	args = []string{"backup", filepath.Join(file, "sub", "b.db")}
	code, _, stderr = run(t, env, "", args...)
	saidOneLine(t, args, code, stderr, 2, "the folder "+filepath.Join(file, "sub")+" does not exist (a folder in its path is a file)")
}

// The file made to check the folder that cannot be removed afterwards is
// named in a warning, with what to do: it was left without a word. The
// backup goes on. Root removes any file, hence the removal that fails
// stood in.
func TestBackupWarnsOfACheckFileLeft(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	if code, _, stderr := run(t, env, "", "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	removeFile = func(string) error { return &fs.PathError{Op: "remove", Path: "x", Err: syscall.EBUSY} }
	t.Cleanup(func() { removeFile = os.Remove })
	dir := t.TempDir()
	code, stdout, stderr := run(t, env, "", "backup", filepath.Join(dir, "b.db"))
	if code != 0 || !strings.HasPrefix(stdout, "backed up ") {
		t.Fatalf("backup: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".bulletin-backup-check-*"))
	if len(left) != 1 {
		t.Fatalf("check files left in %s: %v, want the one", dir, left)
	}
	want := fmt.Sprintf("Warning: %s is an empty file bulletin backup made to check that it can write in %s, and could not remove (%v): delete it\n",
		left[0], dir, syscall.EBUSY)
	if stderr != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}

	// Removed, as it is when nothing fails, it leaves no file and says
	// nothing.
	removeFile = os.Remove
	os.Remove(left[0])
	code, _, stderr = run(t, env, "", "backup", filepath.Join(dir, "b.db"))
	if left, _ := filepath.Glob(filepath.Join(dir, ".bulletin-backup-check-*")); code != 0 || stderr != "" || len(left) != 0 {
		t.Errorf("backup: exit %d, stderr %q, check files left %v", code, stderr, left)
	}
}

// A database this user may not read is refused with whom to run the
// backup as, the owner of the data folder, named: it said "stat …:
// permission denied". Root reads every file, hence the error fed in.
func TestDatabaseErrorSaysWhoToRunAs(t *testing.T) {
	const data = "/srv/bulletin/data"
	src := filepath.Join(data, "bulletin.db")
	for _, op := range []string{"stat", "open"} {
		msg := databaseError(data, src, &fs.PathError{Op: op, Path: src, Err: syscall.EACCES}).Error()
		for _, w := range []string{"this user cannot read the database " + src + " (permission denied)",
			"run bulletin backup as the user who owns the data folder " + data, "ls -ld " + data} {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: %q does not say %q", op, msg, w)
			}
		}
		if strings.HasPrefix(msg, op+" ") {
			t.Errorf("%q begins with the system call", msg)
		}
	}
	for _, errno := range []syscall.Errno{syscall.ENOENT, syscall.ENOTDIR} {
		msg := databaseError(data, src, &fs.PathError{Op: "open", Path: src, Err: errno}).Error()
		if msg != "no database at "+src+": check BULLETIN_DATA" {
			t.Errorf("%v: %q", errno, msg)
		}
	}
	// Anything else is said as it is, with what was being done.
	if msg := databaseError(data, src, &fs.PathError{Op: "open", Path: src, Err: syscall.EIO}).Error(); !strings.HasPrefix(msg, "back up "+src+": ") ||
		!strings.Contains(msg, syscall.EIO.Error()) {
		t.Errorf("EIO: %q", msg)
	}
}

// A real database that is not there still says to check BULLETIN_DATA,
// through the open that replaced the stat.
func TestBackupWithoutDatabase(t *testing.T) {
	data := t.TempDir()
	args := []string{"backup", filepath.Join(t.TempDir(), "b.db")}
	code, _, stderr := run(t, map[string]string{"BULLETIN_DATA": data}, "", args...)
	saidOneLine(t, args, code, stderr, 1, "no database at "+filepath.Join(data, "bulletin.db")+": check BULLETIN_DATA")
}

// A disk that fills during the copy is told as a full disk, whether
// SQLite says so or the system does; nothing else is.
func TestDiskFull(t *testing.T) {
	for _, tc := range []struct {
		err  error
		full bool
	}{
		{fmt.Errorf("back up x: %w", sqlite3.Error{Code: sqlite3.ErrFull}), true},
		{fmt.Errorf("back up x: %w", &fs.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}), true},
		{&fs.PathError{Op: "write", Path: "x", Err: syscall.EDQUOT}, true},
		{fmt.Errorf("back up x: %w", sqlite3.Error{Code: sqlite3.ErrIoErr}), false},
		{&fs.PathError{Op: "rename", Path: "x", Err: syscall.EACCES}, false},
		{errors.New("disk is full, says no one"), false},
	} {
		if got := diskFull(tc.err); (got != nil) != tc.full {
			t.Errorf("diskFull(%v) = %v, want full %v", tc.err, got, tc.full)
		}
	}
}
