package main

import (
	"os"
	"path/filepath"
	"testing"
)

// backup into a folder this user cannot write says so, naming the folder,
// before it copies anything: it failed with "open FILE.tmp-XXXX:
// permission denied", a name the user never gave. /sys/kernel is such a
// folder even for root (sysfs makes no files), where chmod is no bar.
func TestBackupIntoAnUnwritableFolderNamesIt(t *testing.T) {
	const dir = "/sys/kernel"
	if f, err := os.CreateTemp(dir, "bulletin-test-*"); err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Skip(dir + " is writable here")
	} else if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Skip(dir + " is not a folder here")
	}
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	if code, _, stderr := run(t, env, "", "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	args := []string{"backup", filepath.Join(dir, "b.db")}
	code, _, stderr := run(t, env, "", args...)
	saidOneLine(t, args, code, stderr, 2, "bulletin backup: /sys/kernel/b.db: this user cannot write in the folder /sys/kernel (",
		"): give a folder it can write, or run the backup as a user who can")
}
