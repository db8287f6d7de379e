//go:build unix

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A file given as a pipe, which is read once, is refused as a regular one
// is when it marks readers confirmed, and imported whole otherwise: the
// import copies it to read it twice when its column names have a status
// column, and streams it when they have none (TestImportInterruptedByCtrlC
// stops such an import while the pipe is still open).
func TestImportOfConfirmedRowsFromAPipe(t *testing.T) {
	env := seededInstall(t)
	export := "email,name,lists,status\none@piped.example,One,daily-news,confirmed\n"
	fifo := namedPipe(t, export)
	code, stdout, stderr := run(t, env, "", "import", fifo)
	if code != 2 || stdout != "" || !strings.Contains(stderr, fifo+" marks 1 reader confirmed") {
		t.Errorf("piped export: exit %d, %q, %q", code, stdout, stderr)
	}
	if got := storedStatuses(t, env, "@piped.example"); len(got) != 0 {
		t.Errorf("stored %v, want no one", got)
	}
	code, stdout, stderr = run(t, env, "", "import", namedPipe(t, strings.ReplaceAll(export, ",confirmed", ",")), "--list", "daily-news")
	if code != 0 || !strings.Contains(stdout, "added 1,") {
		t.Errorf("piped file without a status: exit %d, %q, %q", code, stdout, stderr)
	}
}

// The first lines of a pipe decide whether it is copied to be read
// twice: a status column after Excel's sep= line and blank lines is
// found, and so is a confirmed row far past the first 64 KiB.
func TestImportFromAPipeFindsTheStatusColumn(t *testing.T) {
	env := seededInstall(t)
	for name, body := range map[string]string{
		"sep= line and blank lines": "sep=;\n\n  \nemail;name;lists;status\ntwo@piped.example;Two;daily-news;confirmed\n",
		"four lines that are no CSV first": "\"Readers\" report\n\"Made\" today\n\"By\" hand\n\"For\" you\n" +
			"email,name,lists,status\nfive@piped.example,Five,daily-news,confirmed\n",
		"confirmed row after 100,000 bytes": "email,name,lists,status\n" +
			strings.Repeat("x@piped.example,X,daily-news,pending\n", 100_000/38+1) + "three@piped.example,Three,daily-news,confirmed\n",
	} {
		code, stdout, stderr := run(t, env, "", "import", namedPipe(t, body))
		if code != 2 || stdout != "" || !strings.Contains(stderr, " marks 1 reader confirmed") {
			t.Errorf("%s: exit %d, %q, %q; want 2, the file refused", name, code, stdout, stderr)
		}
	}
	if got := storedStatuses(t, env, "@piped.example"); len(got) != 0 {
		t.Errorf("stored %v, want no one", got)
	}
}

// Ctrl-C while a pipe naming a status column is copied, before its end
// came, stops the import at once with nothing stored and no copy left
// behind: the copy used to wait for the pipe's end, Ctrl-C or not, and
// grow the temporary file without bound.
func TestImportFromAPipeInterruptedWhileCopied(t *testing.T) {
	env := seededInstall(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	fifo := filepath.Join(t.TempDir(), "endless.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	m, stdout, stderr := testMain(t, env)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exit := make(chan int, 1)
	go func() { exit <- m.Main(ctx, []string{"import", fifo, "--list", "daily-news"}) }()
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// The column names and some rows; the pipe stays open.
	if _, err := w.WriteString("email,name,status\n" + strings.Repeat("four@piped.example,Four,pending\n", 10)); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if copies, _ := filepath.Glob(filepath.Join(tmp, "bulletin-import-*.csv")); len(copies) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the import made no copy of the pipe")
		}
	}
	cancel()
	select {
	case code := <-exit:
		if code != 130 || !strings.Contains(stdout.String(), "Interrupted while reading "+fifo+": nothing was imported.") {
			t.Errorf("exit %d, stdout %q, stderr %q; want 130 and what happened", code, stdout, stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the import went on copying the pipe after Ctrl-C")
	}
	if copies, _ := filepath.Glob(filepath.Join(tmp, "bulletin-import-*.csv")); len(copies) != 0 {
		t.Errorf("the copy %v is left behind", copies)
	}
	if got := storedStatuses(t, env, "@piped.example"); len(got) != 0 {
		t.Errorf("stored %v, want no one", got)
	}
}

// namedPipe returns the path of a named pipe that gives body to its reader.
func namedPipe(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "piped.csv")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		f.WriteString(body)
	}()
	t.Cleanup(func() {
		// A writer no import opened the pipe for is let go.
		if r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			<-done
			r.Close()
		}
	})
	return path
}
