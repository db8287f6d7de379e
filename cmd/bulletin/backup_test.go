package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// backup and restore from the command line: restore refuses while serve
// runs on the folder, then puts the backup back and keeps what it replaced.
func TestBackupAndRestoreCommands(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data}
	backup := filepath.Join(t.TempDir(), "nightly.db")
	if code, _, stderr := run(t, env, "", "token", "create", "before"); code != 0 {
		t.Fatal(stderr)
	}
	m, _, _ := testMain(t, env)
	_, stop := startServe(t, m)
	code, stdout, stderr := run(t, env, "", "backup", backup)
	if code != 0 || !strings.HasPrefix(stdout, "backed up "+filepath.Join(data, "bulletin.db")+" to "+backup) {
		t.Fatalf("backup while serve runs: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if code, _, stderr := run(t, env, "", "token", "create", "after"); code != 0 {
		t.Fatal(stderr)
	}
	code, _, stderr = run(t, env, "", "restore", backup)
	want := fmt.Sprintf("another bulletin serve (pid %d) runs on the data folder %s: stop it before restoring", os.Getpid(), data)
	if code != 2 || !strings.Contains(stderr, want) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("restore while serve runs: exit %d, stderr %q; want 2 and %q", code, stderr, want)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}

	code, stdout, stderr = run(t, env, "", "restore", backup)
	re := regexp.MustCompile(`^restored ` + regexp.QuoteMeta(backup) + ` into ` + regexp.QuoteMeta(filepath.Join(data, "bulletin.db")) +
		`; the database it replaced is kept as (\S+)\n$`)
	got := re.FindStringSubmatch(stdout)
	if code != 0 || got == nil {
		t.Fatalf("restore: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if _, err := os.Stat(got[1]); err != nil {
		t.Errorf("the replaced database is not where restore says: %v", err)
	}
	_, list, _ := run(t, env, "", "token", "list")
	if !strings.Contains(list, "before") || strings.Contains(list, "after") {
		t.Errorf("tokens after the restore:\n%s\nwant the one made before the backup only", list)
	}

	notDB := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notDB, []byte("hello\n"), 0o600)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"backup"}, 2, "use: bulletin backup FILE"},
		{[]string{"backup", "a", "b"}, 2, "use: bulletin backup FILE"},
		{[]string{"restore"}, 2, "use: bulletin restore FILE"},
		{[]string{"restore", notDB}, 2, "not a SQLite database"},
		{[]string{"backup", filepath.Join(data, "bulletin.db")}, 2, "is the database itself"},
	} {
		code, _, stderr := run(t, env, "", tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want %d and one line with %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
	empty := map[string]string{"BULLETIN_DATA": filepath.Join(t.TempDir(), "none")}
	if code, _, stderr := run(t, empty, "", "backup", filepath.Join(t.TempDir(), "x.db")); code != 1 || !strings.Contains(stderr, "no database") {
		t.Errorf("backup of a folder without a database: exit %d, %q", code, stderr)
	}
}
