package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// The commands that read or change the data already there refuse a data
// folder with no database, as backup does, and make nothing: export said
// "exported 0 subscribers", admin list and token list "No admins yet" and
// "No API tokens yet", each from a new, empty database they made in the
// mistyped BULLETIN_DATA, folder and all.
func TestDataCommandsRefuseAMissingDatabase(t *testing.T) {
	csv := filepath.Join(t.TempDir(), "readers.csv")
	if err := os.WriteFile(csv, []byte("email\nann@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	commands := [][]string{
		{"export"}, {"export", "--list", "news"},
		{"admin", "list"}, {"admin", "delete", "ed@example.com"},
		{"token", "list"}, {"token", "revoke", "ci"},
		{"import", csv, "--list", "news"},
		{"digest", "run", "--list", "news"},
	}
	for _, where := range []string{"missing folder", "empty folder"} {
		parent := t.TempDir()
		data := filepath.Join(parent, "nonexistent", "dir")
		if where == "empty folder" {
			data = parent
		}
		for _, args := range commands {
			code, stdout, stderr := run(t, map[string]string{"BULLETIN_DATA": data}, "", args...)
			want := "bulletin " + args[0] + ": no database at " + filepath.Join(data, "bulletin.db") + ": check BULLETIN_DATA\n"
			if code != 1 || stdout != "" || stderr != want {
				t.Errorf("%s: %v: exit %d, stdout %q, stderr %q; want 1, nothing, %q", where, args, code, stdout, stderr, want)
			}
		}
		if where == "missing folder" {
			if _, err := os.Stat(filepath.Join(parent, "nonexistent")); !os.IsNotExist(err) {
				t.Errorf("the commands made the data folder's parent: %v", err)
			}
		} else if left, _ := os.ReadDir(data); len(left) != 0 {
			t.Errorf("the commands left %v in the empty data folder", names(left))
		}
	}
}

// admin create and token create start a database only in a data folder
// that exists; in one that does not (a mistyped
// BULLETIN_DATA) they refuse and say how to start a new install. The
// commands of a new install (serve, seed, migrate) still make the folder
// and the database.
func TestCreateCommandsMakeADatabaseOnlyInAFolderThatExists(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		stdin string
	}{
		{[]string{"admin", "create", "ed@example.com"}, "a long passphrase\n"},
		{[]string{"token", "create", "ci"}, ""},
	} {
		parent := t.TempDir()
		data := filepath.Join(parent, "nonexistent", "dir")
		code, stdout, stderr := run(t, map[string]string{"BULLETIN_DATA": data}, tc.stdin, tc.args...)
		want := "bulletin " + tc.args[0] + ": no database at " + filepath.Join(data, "bulletin.db") + ": check BULLETIN_DATA (to start a new install in " +
			data + ", run bulletin migrate first)\n"
		if code != 1 || stdout != "" || stderr != want {
			t.Errorf("%v in a missing folder: exit %d, stdout %q, stderr %q; want 1, nothing, %q", tc.args, code, stdout, stderr, want)
		}
		if _, err := os.Stat(filepath.Join(parent, "nonexistent")); !os.IsNotExist(err) {
			t.Errorf("%v made the data folder's parent: %v", tc.args, err)
		}

		data = t.TempDir()
		if code, _, stderr := run(t, map[string]string{"BULLETIN_DATA": data}, tc.stdin, tc.args...); code != 0 {
			t.Errorf("%v in an empty folder: exit %d, %s", tc.args, code, stderr)
		}
		if _, err := os.Stat(filepath.Join(data, "bulletin.db")); err != nil {
			t.Errorf("%v in an empty folder made no database: %v", tc.args, err)
		}
	}
	for _, args := range [][]string{{"migrate"}, {"seed"}} {
		data := filepath.Join(t.TempDir(), "new", "data")
		if code, _, stderr := run(t, map[string]string{"BULLETIN_DATA": data}, "", args...); code != 0 {
			t.Errorf("%v in a new folder: exit %d, %s", args, code, stderr)
		}
		if _, err := os.Stat(filepath.Join(data, "bulletin.db")); err != nil {
			t.Errorf("%v made no database: %v", args, err)
		}
	}
}

// restore checks its FILE before it makes anything: a missing FILE with
// a mistyped BULLETIN_DATA left that folder behind, with its serve.lock.
// A data folder that is not there yet is still restored into, once FILE
// is a backup: a new machine's.
func TestRestoreChecksItsFileBeforeMakingTheFolder(t *testing.T) {
	parent := t.TempDir()
	data := filepath.Join(parent, "nonexistent", "dir")
	env := map[string]string{"BULLETIN_DATA": data}
	missing := filepath.Join(t.TempDir(), "nope.db")
	code, _, stderr := run(t, env, "", "restore", missing)
	saidOneLine(t, []string{"restore", missing}, code, stderr, 2, missing+" does not exist")
	if _, err := os.Stat(filepath.Join(parent, "nonexistent")); !os.IsNotExist(err) {
		t.Errorf("restore of a missing file made the data folder's parent: %v", err)
	}

	src := t.TempDir()
	if code, _, stderr := run(t, map[string]string{"BULLETIN_DATA": src}, "", "migrate"); code != 0 {
		t.Fatal(stderr)
	}
	backup := filepath.Join(t.TempDir(), "b.db")
	if code, _, stderr := run(t, map[string]string{"BULLETIN_DATA": src}, "", "backup", backup); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := run(t, env, "", "restore", backup); code != 0 {
		t.Fatalf("restore into a new folder: exit %d, %s", code, stderr)
	}
	if err := sqlite.Check(context.Background(), filepath.Join(data, "bulletin.db")); err != nil {
		t.Errorf("the restored database: %v", err)
	}
}

func names(entries []os.DirEntry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}
