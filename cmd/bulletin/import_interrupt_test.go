package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// Ctrl-C during a long import stops it at a batch boundary and prints
// what it did: "Interrupted after line N:" and the counts, which the
// database bears out, and that the same import may be run again; the
// process exits 130. Run again, the import stores the rest and mails only
// the readers it adds: no one gets two confirmations.
//
// The file is a FIFO the test writes: the import has stored two batches
// and waits for more when the signal comes, and the rows after it never
// end, so only the interruption stops the import.
func TestImportInterruptedByCtrlC(t *testing.T) {
	bin := binary(t)
	data := t.TempDir()
	env := append(os.Environ(), "BULLETIN_DATA="+data, "BULLETIN_SECRET=integration-secret-0123456789abcdef01")
	db, err := sqlite.Open(context.Background(), filepath.Join(data, "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Write.Exec(`INSERT INTO lists (slug, name, created_at) VALUES ('news', 'News', ?)`, sqlite.Now()); err != nil {
		t.Fatal(err)
	}
	row := func(i int) string { return fmt.Sprintf("reader%07d@example.com,Reader %d\n", i, i) }
	count := func() int {
		t.Helper()
		var n int
		if err := db.Read.QueryRow(`SELECT COUNT(*) FROM subscribers`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	fifo := filepath.Join(t.TempDir(), "readers.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "import", fifo, "--list", "news")
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	opened := make(chan *os.File, 1)
	go func() {
		if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			opened <- w
		}
	}()
	var w *os.File
	select {
	case w = <-opened:
	case err := <-exited:
		// Open the FIFO's other end, so the goroutine waiting to write it
		// is let go.
		if r, oerr := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0); oerr == nil {
			r.Close()
		}
		t.Fatalf("import exited before reading the file: %v\n%s%s", err, &stdout, &stderr)
	}
	var first strings.Builder
	first.WriteString("email,name\n")
	for i := 1; i <= 2500; i++ {
		first.WriteString(row(i))
	}
	if _, err := w.WriteString(first.String()); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); count() < 2000; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("%d rows stored a minute after the first 2,500 were written\n%s%s", count(), &stdout, &stderr)
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	// Rows without end, until the import stops reading (EPIPE).
	go func() {
		defer w.Close()
		for i := 2501; ; i++ {
			if _, err := w.WriteString(row(i)); err != nil {
				return
			}
		}
	}()
	select {
	case err = <-exited:
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatalf("the import did not stop within 2 minutes of Ctrl-C\n%s%s", &stdout, &stderr)
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("interrupted import: %v, want exit status 130\n%s%s", err, &stdout, &stderr)
	}
	m := regexp.MustCompile(`(?m)^Interrupted after line (\d+): added (\d+), updated 0, skipped 0, invalid 0 \(in `).FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("no report of the interrupted import:\n%s%s", &stdout, &stderr)
	}
	lines, _ := strconv.Atoi(m[1])
	added, _ := strconv.Atoi(m[2])
	if added != lines-1 || added < 2000 {
		t.Errorf("interrupted after line %d with %d added: want every row up to that line (after the header), two batches at least", lines, added)
	}
	if n := count(); n != added {
		t.Errorf("%d subscribers stored, the report says %d", n, added)
	}
	if !strings.Contains(stdout.String(), "Running the same import again is safe") {
		t.Errorf("the report does not say the import may be run again:\n%s", &stdout)
	}
	mailed := confirmationsTo(t, data)
	for addr, n := range mailed {
		if n > 1 {
			t.Errorf("%s got %d confirmations", addr, n)
		}
	}

	// Again, with the rows read and 1,500 more: the rest are added, and
	// mailed, each once.
	total := added + 1500
	var file strings.Builder
	file.WriteString("email,name\n")
	for i := 1; i <= total; i++ {
		file.WriteString(row(i))
	}
	again := filepath.Join(t.TempDir(), "readers.csv")
	if err := os.WriteFile(again, []byte(file.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	rerun := exec.Command(bin, "import", again, "--list", "news")
	rerun.Env = env
	out, err := rerun.CombinedOutput()
	if err != nil {
		t.Fatalf("import again: %v\n%s", err, out)
	}
	if want := fmt.Sprintf("added 1500, updated 0, skipped %d, invalid 0", added); !strings.Contains(string(out), want) {
		t.Errorf("import again printed:\n%s\nwant %q", out, want)
	}
	if n := count(); n != total {
		t.Errorf("%d subscribers stored after the second import, want %d", n, total)
	}
	after := confirmationsTo(t, data)
	for i := 1; i <= total; i++ {
		addr := fmt.Sprintf("reader%07d@example.com", i)
		switch n := after[addr]; {
		case n > 1:
			t.Errorf("%s got %d confirmations", addr, n)
		case i > added && n != 1:
			t.Errorf("%s, added by the second import, got %d confirmations, want 1", addr, n)
		case i <= added && n != mailed[addr]:
			t.Errorf("%s, added by the first import, was mailed by the second", addr)
		}
	}
}

// confirmationsTo counts the mails in data's outbox by their To address.
func confirmationsTo(t *testing.T, data string) map[string]int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(data, "outbox", "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		to, err := mail.ParseAddress(msg.Header.Get("To"))
		if err != nil {
			t.Fatalf("%s: To: %v", f, err)
		}
		out[to.Address]++
	}
	return out
}
