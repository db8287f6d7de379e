package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A folder given as the FILE of backup or restore is bad usage (exit 2)
// said in a line that says what to give, not the error of the rename or
// of SQLite that meets it (exit 1), and backup leaves nothing in it.
func TestBackupAndRestoreRefuseAFolder(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	if code, _, stderr := run(t, env, "", "migrate"); code != 0 {
		t.Fatal(stderr)
	}
	folder := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"backup", folder}, folder + " is a folder: give the backup a file name, like " + filepath.Join(folder, "bulletin.db")},
		{[]string{"restore", folder}, folder + " is a folder: give the backup file that bulletin backup wrote"},
	} {
		code, stdout, stderr := run(t, env, "", tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and one line with %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
	if left, _ := os.ReadDir(folder); len(left) > 0 {
		t.Errorf("backup left %d files in the folder it was given, first %s", len(left), left[0].Name())
	}
}
