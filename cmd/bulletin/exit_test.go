package main

import (
	"os"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// TestMain runs the tests, their admins' passwords hashed at bcrypt's
// least cost (see adminCost), then removes the folders kept until the test
// binary exits: the binaries built once for all its tests (tens of
// megabytes each, which piled up in the system's temporary folder) and
// the benchmarks' data folders (untilExit).
func TestMain(m *testing.M) {
	adminCost = bcrypt.MinCost
	code := m.Run()
	exitDirs.Lock()
	for _, dir := range exitDirs.dirs {
		os.RemoveAll(dir)
	}
	exitDirs.Unlock()
	os.Exit(code)
}

var exitDirs struct {
	sync.Mutex
	dirs []string
}

// removeAtExit has TestMain remove dir when the tests are done.
func removeAtExit(dir string) {
	exitDirs.Lock()
	defer exitDirs.Unlock()
	exitDirs.dirs = append(exitDirs.dirs, dir)
}

// untilExit returns a new folder that is removed when the test binary
// exits rather than when t ends. A benchmark that creates files by the
// ten thousand keeps its folders so: on ext4 without a journal (the disk
// of the machine docs/benchmarks.md was measured on) an inode freed in the
// last minute, or five while its table block is unwritten, is passed over
// by the allocator one by one, so removing one run's 20,000 outbox files
// made the next run's files cost up to ten times as much to create, and
// the next run measured the removal.
func untilExit(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "bulletin-bench-")
	if err != nil {
		t.Fatal(err)
	}
	removeAtExit(dir)
	return dir
}
