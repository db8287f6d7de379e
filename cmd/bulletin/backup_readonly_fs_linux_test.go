package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// roMountUnavailable is the exit status of TestReadOnlyMountHelper when
// it may not mount: the test that started it skips.
const roMountUnavailable = 77

// TestReadOnlyMountHelper runs Main with the arguments in
// BULLETIN_TEST_RO_ARGS after mounting the folder BULLETIN_TEST_RO_DIR
// read-only over itself. It runs only as the child process of
// runOnReadOnlyMount, in a mount namespace of its own: the mount is gone
// with the process, and nothing outside it sees it.
func TestReadOnlyMountHelper(t *testing.T) {
	dir := os.Getenv("BULLETIN_TEST_RO_DIR")
	if dir == "" {
		t.Skip("runs only as the child process of another test")
	}
	if err := syscall.Mount(dir, dir, "", syscall.MS_BIND, ""); err != nil {
		os.Exit(roMountUnavailable)
	}
	if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
		os.Exit(roMountUnavailable)
	}
	m := NewMain()
	m.Stdin = strings.NewReader("")
	os.Exit(m.Main(context.Background(), strings.Fields(os.Getenv("BULLETIN_TEST_RO_ARGS"))))
}

// runOnReadOnlyMount runs Main with args, BULLETIN_DATA data, in a child
// process that sees the folder dir read-only, as a read-only file system
// (a snapshot mounted so, say): a bind mount in a mount namespace of the
// child's own, which the machine never sees. It skips where this user may
// not make one (it takes root, or user namespaces).
func runOnReadOnlyMount(t *testing.T, dir, data string, args ...string) (int, string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestReadOnlyMountHelper$")
	cmd.Env = []string{"BULLETIN_TEST_RO_DIR=" + dir, "BULLETIN_TEST_RO_ARGS=" + strings.Join(args, " "),
		"BULLETIN_DATA=" + data, "BULLETIN_ADDR=127.0.0.1:0", "HOME=" + t.TempDir()}
	// Go makes the new namespace's mounts private before the test
	// binary starts: the bind mount reaches no other namespace.
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee) && ee.ExitCode() == roMountUnavailable:
		t.Skip("this user may not mount a folder read-only in a namespace of its own")
	case errors.As(err, &ee):
		return ee.ExitCode(), stderr.String()
	case err != nil:
		t.Skipf("no mount namespace for this user: %v", err)
	}
	return 0, stderr.String()
}

// A backup of a data folder on a read-only file system, with serve
// stopped, said "unable to open database file: no such file or
// directory" of a database that is there: SQLite cannot make the -shm
// file it reads a database in WAL mode through. It says so, as it does
// when this user may not write in the folder, with exit status 1, and
// writes no FILE.
func TestBackupDataFolderOnReadOnlyFileSystem(t *testing.T) {
	data := t.TempDir()
	if code, _, stderr := run(t, map[string]string{"BULLETIN_DATA": data}, "", "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	db := filepath.Join(data, "bulletin.db")
	for _, f := range []string{db + "-shm", db + "-wal"} {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s is there after migrate (%v): the test needs serve stopped, with none", f, err)
		}
	}
	file := filepath.Join(t.TempDir(), "b.db")
	code, stderr := runOnReadOnlyMount(t, data, data, "backup", file)
	saidOneLine(t, []string{"backup", "(a data folder on a read-only file system)"}, code, stderr, 1,
		"bulletin backup: this user can read the database "+db+" but the data folder "+data+" is on a read-only file system, "+
			"and SQLite needs to make its shared-memory file (bulletin.db-shm) there to read a database in WAL mode: "+
			"mount it read-write, or back up a copy of the data folder on a disk that can be written\n")
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s was written, or cannot be looked at (%v)", file, err)
	}
}
