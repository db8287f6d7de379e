//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A piped export copied to a temporary folder that fills up stops with
// what to do instead, nothing stored and no copy left: it said only "no
// space left on device".
func TestImportFromAPipeWhenTheCopyFillsTheDisk(t *testing.T) {
	env := seededInstall(t)
	dir := t.TempDir()
	// /dev/full answers every write with ENOSPC; the copy is a link to it
	// in a folder of the test's, so removing the copy removes the link.
	link := filepath.Join(dir, "bulletin-import-full.csv")
	if err := os.Symlink("/dev/full", link); err != nil {
		t.Fatal(err)
	}
	orig := createImportCopy
	t.Cleanup(func() { createImportCopy = orig })
	createImportCopy = func() (*os.File, error) { return os.OpenFile(link, os.O_RDWR, 0) }

	export := "email,name,lists,status\n" + strings.Repeat("six@piped.example,Six,daily-news,pending\n", 3)
	code, stdout, stderr := run(t, env, "", "import", namedPipe(t, export))
	for _, want := range []string{"filled " + dir, "import it from a file instead", "TMPDIR", "Nothing was imported"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q lacks %q", stderr, want)
		}
	}
	if code != 1 || stdout != "" {
		t.Errorf("exit %d, stdout %q; want 1 and nothing on stdout", code, stdout)
	}
	if _, err := os.Lstat(link); !os.IsNotExist(err) {
		t.Errorf("the copy is left behind: %v", err)
	}
	if got := storedStatuses(t, env, "@piped.example"); len(got) != 0 {
		t.Errorf("stored %v, want no one", got)
	}
}
