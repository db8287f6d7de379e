package main

import (
	"context"
	"errors"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A database this user may read, while bulletin serve runs as another
// user: serve's -wal and -shm files beside it are that user's alone
// (0600), SQLite cannot read the database without them, and the backup
// says which files they are, whose, and what to do, where it said
// "unable to open database file".
func TestBackupWhileServeRunsAsAnotherUser(t *testing.T) {
	if os.Geteuid() != 0 {
		// The files must belong to another user, as serve's do: only
		// root can give them one. Files of this user's that it may not
		// read are another fault, with another fix.
		t.Skip("needs root, to give the -wal and -shm files to another user than the one the backup runs as")
	}
	_, data, db := migratedOpenFolder(t)
	// serve's user: a named one when this system has it, so that the
	// message is seen to name it, else a number no one has.
	uid, owner := 4242, "the user with uid 4242"
	if u, err := user.Lookup("daemon"); err == nil && u.Uid != "65534" {
		uid, _ = strconv.Atoi(u.Uid)
		owner = "daemon"
	}
	// serve holds the database open, with its -wal and -shm beside it.
	serve, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer serve.Close()
	if _, err := serve.Write.Exec(`CREATE TABLE backup_wal_probe (x); INSERT INTO backup_wal_probe VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{db, db + "-wal", db + "-shm"} {
		if err := os.Chown(f, uid, uid); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(db, 0o644); err != nil { // nobody may read it
		t.Fatal(err)
	}
	for _, f := range []string{db + "-wal", db + "-shm"} {
		if err := os.Chmod(f, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// The data folder stays root's, 0755: nobody cannot write in it, so
	// stopping serve would not be enough for it either.
	code, stderr, _ := backupDenied(t, data)
	saidOneLine(t, []string{"backup", "(serve running as " + owner + ")"}, code, stderr, 1,
		"bulletin backup: this user can read the database "+db+" but not the files "+db+"-wal and "+db+"-shm beside it, "+
			"which bulletin serve keeps while it runs and which belong to "+owner+" (mode 0600): "+
			"run bulletin backup as "+owner+", the user bulletin serve runs as\n")

	// With the data folder open to nobody, stopping serve would do too.
	if err := os.Chmod(data, 0o777); err != nil {
		t.Fatal(err)
	}
	code, stderr, _ = backupDenied(t, data)
	saidOneLine(t, []string{"backup", "(serve running, data folder writable)"}, code, stderr, 1,
		"which belong to "+owner+" (mode 0600): run bulletin backup as "+owner+", the user bulletin serve runs as, "+
			"or stop bulletin serve first (it removes them when it stops)\n")

	// The database is whole and serve goes on: the failures changed nothing.
	var n int
	if err := serve.Write.QueryRow(`SELECT count(*) FROM backup_wal_probe`).Scan(&n); err != nil || n != 1 {
		t.Errorf("serve's database after the backup: %d rows, %v", n, err)
	}

	// And the advice holds: serve stopped leaves neither file, and the
	// backup works as nobody.
	if err := serve.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{db + "-wal", db + "-shm"} {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is there after serve stopped (%v)", f, err)
		}
	}
	out := t.TempDir()
	if err := os.Chmod(out, 0o777); err != nil {
		t.Fatal(err)
	}
	if code, stderr := runAsNobody(t, data, "backup", filepath.Join(out, "b.db")); code != 0 {
		t.Errorf("backup as nobody with serve stopped: exit %d, %s", code, stderr)
	}
}
