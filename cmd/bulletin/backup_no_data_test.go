package main

import (
	"os"
	"path/filepath"
	"testing"
)

// backup of a data folder that cannot be there, under a file, says that
// there is no database and which setting to check, not "stat …: not a
// directory".
func TestBackupDataUnderAFileNamesTheSetting(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"backup", filepath.Join(dir, "b.db")}
	code, _, stderr := run(t, map[string]string{"BULLETIN_DATA": filepath.Join(file, "data")}, "", args...)
	saidOneLine(t, args, code, stderr, 1, "bulletin backup: no database at "+filepath.Join(file, "data", "bulletin.db")+": check BULLETIN_DATA")
}
