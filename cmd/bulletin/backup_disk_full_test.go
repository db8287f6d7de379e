package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A backup onto a disk with no space left is refused before the copy, as
// README says, saying the disk is full: it began the copy and said the
// disk "filled up during the copy". It leaves nothing in the folder. A
// root test cannot mount a full file system: the free space is stood in.
func TestBackupOnAFullDiskIsRefusedBeforeTheCopy(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	if code, _, stderr := run(t, env, "", "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	freeSpace = func(string) (uint64, bool) { return 0, true }
	t.Cleanup(func() { freeSpace = diskFree })
	dir := t.TempDir()
	dst := filepath.Join(dir, "b.db")
	args := []string{"backup", dst}
	code, _, stderr := run(t, env, "", args...)
	saidOneLine(t, args, code, stderr, 1, "bulletin backup: "+dst+": the disk of the folder "+dir+
		" is full (no space left on device): free some space on it, or give a folder on another disk")
	if strings.Contains(stderr, "during the copy") {
		t.Errorf("stderr %q says the copy began", stderr)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("the refused backup left %v", names(left))
	}

	// With space, the same backup is made.
	freeSpace = func(string) (uint64, bool) { return 1 << 30, true }
	if code, _, stderr := run(t, env, "", args...); code != 0 {
		t.Errorf("backup with space: exit %d, %s", code, stderr)
	}
}

// A backup that fails part way through its copy (here a file size limit,
// RLIMIT_FSIZE, in a process of its own, as a nearly full disk would, which
// a root test cannot mount) leaves no file in FILE's folder: it left
// FILE.tmp-XXXX-journal, one more each night a nightly backup failed.
func TestFailedBackupLeavesNoTempFiles(t *testing.T) {
	if os.Getenv("BULLETIN_TEST_FSIZE") != "" {
		backupUnderFileSizeLimit(t)
		return
	}
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data}
	if code, _, stderr := run(t, env, "", "seed"); code != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	// A database larger than SQLite's page cache: the copy's pages spill
	// into its journal, which the failure left behind.
	db, err := sqlite.Open(context.Background(), filepath.Join(data, "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Write.Exec(`CREATE TABLE filler (b BLOB);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 800)
		INSERT INTO filler SELECT randomblob(8000) FROM n`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dst := filepath.Join(dir, "bk.db")
	for _, limit := range []int64{100 << 10, 2 << 20} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFailedBackupLeavesNoTempFiles$", "-test.v")
		cmd.Env = append(os.Environ(), "BULLETIN_TEST_FSIZE="+strconv.FormatInt(limit, 10),
			"BULLETIN_TEST_FSIZE_DATA="+data, "BULLETIN_TEST_FSIZE_DST="+dst)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("limit %d: %v\n%s", limit, err, out.String())
		}
		if !strings.Contains(out.String(), "backup exit 1:") {
			t.Fatalf("limit %d: the backup did not fail:\n%s", limit, out.String())
		}
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			t.Errorf("limit %d: the failed backup left %v\n%s", limit, names(left), out.String())
		}
	}
}

// backupUnderFileSizeLimit runs a backup with no file allowed to grow past
// BULLETIN_TEST_FSIZE bytes, and says its exit status and stderr.
func backupUnderFileSizeLimit(t *testing.T) {
	limit, err := strconv.ParseUint(os.Getenv("BULLETIN_TEST_FSIZE"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	signal.Ignore(syscall.SIGXFSZ) // a write past the limit fails (EFBIG) rather than killing the process
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
		t.Skipf("setrlimit: %v", err)
	}
	env := map[string]string{"BULLETIN_DATA": os.Getenv("BULLETIN_TEST_FSIZE_DATA")}
	code, _, stderr := run(t, env, "", "backup", os.Getenv("BULLETIN_TEST_FSIZE_DST"))
	fmt.Printf("backup exit %d: %s", code, stderr)
}
