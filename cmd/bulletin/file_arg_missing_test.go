package main

import (
	"os"
	"path/filepath"
	"testing"
)

// A file named on the command line that is not there, or not what the
// command reads, is said so in the user's words, with what to give, not
// as "open x.csv: no such file or directory".
func TestMissingFileArgumentSaysWhatToGive(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": filepath.Join(dir, "data")}
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"import", filepath.Join(dir, "readers.csv")}, "readers.csv does not exist: give the CSV file to import"},
		{[]string{"import", filepath.Join(file, "readers.csv")}, "readers.csv does not exist (a folder in its path is a file): give the CSV file to import"},
		{[]string{"restore", filepath.Join(dir, "backup.db")}, "backup.db does not exist: give the backup file that bulletin backup wrote"},
		{[]string{"import", "-"}, `"-" is not read as stdin: give the CSV file, or /dev/stdin to import what is piped in`},
		{[]string{"restore", file}, "a-file is not a Bulletin database (it has no migrations table): give a file that bulletin backup wrote"},
		{[]string{"seed", filepath.Join(dir, "seeds")}, "seeds does not exist: give a folder that holds lists.json, subscribers.csv and articles/"},
		{[]string{"seed", file}, "a-file is not a folder: give a folder that holds lists.json"},
	} {
		code, _, stderr := run(t, env, "", tc.args...)
		saidOneLine(t, tc.args, code, stderr, 2, "bulletin "+tc.args[0]+": ", tc.want)
	}
}
