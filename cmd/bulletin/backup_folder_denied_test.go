package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// backupDenied runs bulletin backup FILE on the data folder data as a user
// that the modes the test gives stop: nobody (65534) when the test runs as
// root, whom no mode stops, or else this user in this process. file is
// made in a folder anyone may write, so that it is not what fails.
func backupDenied(t *testing.T, data string) (code int, stderr, file string) {
	t.Helper()
	out := t.TempDir()
	if err := os.Chmod(out, 0o777); err != nil {
		t.Fatal(err)
	}
	file = filepath.Join(out, "b.db")
	if os.Geteuid() == 0 {
		code, stderr = runAsNobody(t, data, "backup", file)
	} else {
		m, _, buf := testMain(t, map[string]string{"BULLETIN_DATA": data})
		code, stderr = m.Main(context.Background(), []string{"backup", file}), buf.String()
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s was written, or cannot be looked at (%v)", file, err)
	}
	return code, stderr, file
}

// closeFolder gives dir the mode that keeps the user backupDenied runs as
// out: 0750 owned by root, as a data folder made by root is, or 0 for
// this user; it skips when this user enters it all the same. The mode is
// put back afterwards, so that the folder can be removed.
func closeFolder(t *testing.T, dir string) {
	t.Helper()
	mode := os.FileMode(0o750)
	if os.Geteuid() != 0 {
		mode = 0
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	if _, err := os.Stat(filepath.Join(dir, "x")); os.Geteuid() != 0 && !errors.Is(err, os.ErrPermission) {
		t.Skipf("this user enters a folder of mode 0 (%v)", err)
	}
}

// openedTo gives the folders from base down to dir the mode 0755, that
// lets any user enter them.
func openedTo(t *testing.T, base, dir string) {
	t.Helper()
	for d := dir; ; d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if d == base || d == filepath.Dir(d) {
			return
		}
	}
}

// migratedOpenFolder makes a data folder with a migrated database in a
// new folder base, and lets any user enter both folders.
func migratedOpenFolder(t *testing.T) (base, data, db string) {
	t.Helper()
	base = t.TempDir()
	data = filepath.Join(base, "data")
	if code, _, stderr := run(t, map[string]string{"BULLETIN_DATA": data}, "", "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	openedTo(t, base, data)
	return base, data, filepath.Join(data, "bulletin.db")
}

// A data folder this user may not enter says so, naming it, and whom to
// run the backup as: it said "cannot read the database" also when there
// was no database in it, which this user cannot tell.
func TestBackupDataFolderNotEntered(t *testing.T) {
	for _, withDatabase := range []bool{false, true} {
		base := t.TempDir()
		data := filepath.Join(base, "data")
		what := "(no database there)"
		if withDatabase {
			what = "(a database there)"
			if code, _, stderr := run(t, map[string]string{"BULLETIN_DATA": data}, "", "migrate"); code != 0 {
				t.Fatalf("migrate: %s", stderr)
			}
		} else if err := os.Mkdir(data, 0o750); err != nil {
			t.Fatal(err)
		}
		openedTo(t, base, base)
		closeFolder(t, data)
		code, stderr, _ := backupDenied(t, data)
		// The same words with a database or without: this user cannot
		// tell them apart.
		saidOneLine(t, []string{"backup", what}, code, stderr, 1,
			"bulletin backup: this user cannot enter the data folder "+data+" (permission denied), so it cannot tell whether a database is there: "+
				"run bulletin backup as the user who owns that folder, the one bulletin serve runs as (ls -ld "+data+" names it)\n")
	}
}

// A folder above the data folder that this user may not enter is the one
// named: the data folder's owner (ls -ld) cannot be seen through it.
func TestBackupFolderAboveDataNotEntered(t *testing.T) {
	base := t.TempDir()
	above := filepath.Join(base, "srv")
	data := filepath.Join(above, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	openedTo(t, base, data)
	closeFolder(t, above)
	code, stderr, _ := backupDenied(t, data)
	saidOneLine(t, []string{"backup"}, code, stderr, 1,
		"bulletin backup: this user cannot enter the folder "+above+" (permission denied), above the data folder "+data+
			", so it cannot tell whether a database is there: run bulletin backup as the user bulletin serve runs as, or as one who may enter "+
			above+" (ls -ld "+above+" names its owner)\n")
}

// In a data folder this user may enter, the messages that were right stay:
// a database it may not read is said to be that, and no database is said
// to be none.
func TestBackupDataFolderEnteredKeepsItsMessages(t *testing.T) {
	base, data, db := migratedOpenFolder(t)
	mode := os.FileMode(0o600) // root's, which nobody may not read
	if os.Geteuid() != 0 {
		mode = 0
	}
	if err := os.Chmod(db, mode); err != nil {
		t.Fatal(err)
	}
	code, stderr, _ := backupDenied(t, data)
	saidOneLine(t, []string{"backup", "(an unreadable database)"}, code, stderr, 1,
		"bulletin backup: this user cannot read the database "+db+" (permission denied): run bulletin backup as the user who owns the data folder "+data+
			" (ls -ld "+data+" names it)\n")

	empty := filepath.Join(base, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	openedTo(t, base, empty)
	code, stderr, _ = backupDenied(t, empty)
	saidOneLine(t, []string{"backup", "(no database)"}, code, stderr, 1,
		"bulletin backup: no database at "+filepath.Join(empty, "bulletin.db")+": check BULLETIN_DATA\n")
}

// A database this user may read, in a data folder it may not write, with
// serve stopped: SQLite cannot make the -shm file it reads a database in
// WAL mode through, and the backup says so, where it said "attempt to
// write a readonly database".
func TestBackupDataFolderReadOnly(t *testing.T) {
	_, data, db := migratedOpenFolder(t)
	for _, f := range []string{db + "-shm", db + "-wal"} {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s is there after migrate (%v): the test needs serve stopped, with none", f, err)
		}
	}
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		// This user owns the folder: a mode without write keeps it out.
		if err := os.Chmod(data, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(data, 0o755) })
		if f, err := os.Create(filepath.Join(data, "probe")); err == nil {
			f.Close()
			t.Skip("this user writes in a folder of mode 0555")
		}
	}
	code, stderr, _ := backupDenied(t, data)
	saidOneLine(t, []string{"backup", "(a read-only data folder)"}, code, stderr, 1,
		"bulletin backup: this user can read the database "+db+" but cannot write in the data folder "+data+
			", and SQLite needs to make its shared-memory file (bulletin.db-shm) there to read a database in WAL mode: "+
			"run bulletin backup as the user who owns the data folder, the one bulletin serve runs as (ls -ld "+data+" names it)\n")
}
