package main

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// import reports each bad line and keeps the good ones; export writes
// them back as CSV that import reads again without change.
func TestImportThenExport(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	if m, _, stderr := testMain(t, env); m.Main(context.Background(), []string{"seed"}) != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	file := filepath.Join(t.TempDir(), "people.csv")
	os.WriteFile(file, []byte("email,name\nnew.one@example.com,New One\nnot-an-address,Bad\n\"Eve <eve@example.com>\",Eve\nnew.two@Example.COM,New Two\n"), 0o600)

	m, stdout, stderr := testMain(t, env)
	if code := m.Main(context.Background(), []string{"import", file, "--list", "daily-news", "--confirmed"}); code != 0 {
		t.Fatalf("import exited %d: %s", code, stderr)
	}
	out := stdout.String()
	for _, want := range []string{"added 2, updated 0, skipped 0, invalid 2", `invalid line 3 ("not-an-address"):`, `invalid line 4 ("Eve <eve@example.com>"):`} {
		if !strings.Contains(out, want) {
			t.Errorf("import printed %q, want %q", out, want)
		}
	}

	m, stdout, _ = testMain(t, env)
	if code := m.Main(context.Background(), []string{"export", "--list", "daily-news"}); code != 0 {
		t.Fatalf("export exited %d", code)
	}
	rows, err := csv.NewReader(strings.NewReader(stdout.String())).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v", err)
	}
	var found int
	for _, r := range rows[1:] {
		if r[0] == "new.one@example.com" || r[0] == "new.two@example.com" {
			found++
		}
	}
	if found != 2 {
		t.Errorf("export lacks the imported subscribers:\n%s", stdout)
	}

	// A file without a lists column needs --list; an export has one, so it
	// imports into another install without it, each reader into their lists.
	m, _, stderr = testMain(t, env)
	if code := m.Main(context.Background(), []string{"import", file}); code != 2 || !strings.Contains(stderr.String(), "no lists column") {
		t.Errorf("import without --list of a file without lists: exit %d, %q", code, stderr)
	}
	exported := filepath.Join(t.TempDir(), "export.csv")
	os.WriteFile(exported, stdout.Bytes(), 0o600)
	other := map[string]string{"BULLETIN_DATA": t.TempDir()}
	if m, _, stderr := testMain(t, other); m.Main(context.Background(), []string{"seed"}) != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	m, _, stderr = testMain(t, other)
	if code := m.Main(context.Background(), []string{"import", exported, "--confirmed"}); code != 0 {
		t.Fatalf("import of an export without --list: exit %d, %s", code, stderr)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(other["BULLETIN_DATA"], "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var lists string
	if err := db.Read.QueryRow(`SELECT group_concat(l.slug) FROM subscriptions x JOIN lists l ON l.id = x.list_id
		JOIN subscribers s ON s.id = x.subscriber_id WHERE s.email_key = 'new.one@example.com'`).Scan(&lists); err != nil || lists != "daily-news" {
		t.Errorf("new.one's lists after the import: %q (%v), want daily-news", lists, err)
	}
}

// An import that mails confirmations, run with no public URL saved and
// BULLETIN_BASE_URL unset, says where its links lead: to its own
// BULLETIN_ADDR, where serve may not listen. Once a URL is given, or the
// import mails nothing, it says nothing.
func TestImportWarnsOfLinksFromItsAddr(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir(), "BULLETIN_ADDR": "127.0.0.1:8080"}
	if m, _, stderr := testMain(t, env); m.Main(context.Background(), []string{"seed"}) != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	file := filepath.Join(t.TempDir(), "people.csv")
	os.WriteFile(file, []byte("email\nfresh@example.com\n"), 0o600)
	// With --confirmed a row the file marks pending is left to serve,
	// which builds its mail with its own URL: import built none (a
	// tester's import said "the mails just built" of mails not built).
	pendingFile := filepath.Join(t.TempDir(), "pending.csv")
	os.WriteFile(pendingFile, []byte("email,status\nstill.pending@example.com,pending\n"), 0o600)
	const warning = "the links in the mails just built lead to http://127.0.0.1:8080"
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		warn bool
	}{
		{"confirmations, no URL", nil, []string{"--list", "daily-news"}, true},
		{"confirmed readers: no mail", nil, []string{"--list", "daily-news", "--confirmed"}, false},
		{"pending rows of --confirmed: serve's mail", nil, []string{"--list", "daily-news", "--confirmed", "--file", pendingFile}, false},
		{"BULLETIN_BASE_URL given", map[string]string{"BULLETIN_BASE_URL": "https://news.example"}, []string{"--list", "daily-news"}, false},
	} {
		all := map[string]string{}
		for k, v := range env {
			all[k] = v
		}
		for k, v := range tt.env {
			all[k] = v
		}
		m, _, stderr := testMain(t, all)
		f, args := file, tt.args
		if i := slices.Index(args, "--file"); i >= 0 {
			f, args = args[i+1], args[:i]
		}
		if code := m.Main(context.Background(), append([]string{"import", f}, args...)); code != 0 {
			t.Fatalf("%s: import exited %d: %s", tt.name, code, stderr)
		}
		if got := strings.Contains(stderr.String(), warning); got != tt.warn {
			t.Errorf("%s: warned %v, want %v:\n%s", tt.name, got, tt.warn, stderr)
		}
	}
}

// A folder given as the file to import is bad usage (exit 2), said so.
func TestImportOfAFolderExits2(t *testing.T) {
	code, _, stderr := run(t, nil, "", "import", t.TempDir(), "--list", "daily-news")
	if code != 2 || !strings.Contains(stderr, "is a folder: give the CSV file to import") {
		t.Errorf("import of a folder: exit %d, %q", code, stderr)
	}
}

// The report names the columns it did not read, and the stored readers it
// asked by mail to confirm the lists the file adds.
func TestImportReportsAskedReadersAndUnreadColumns(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir(), "BULLETIN_BASE_URL": "https://news.example"}
	if m, _, stderr := testMain(t, env); m.Main(context.Background(), []string{"seed"}) != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	file := filepath.Join(t.TempDir(), "more.csv")
	// harbourwatcher@example.com is a confirmed reader of the seeds, not on
	// weekend-culture.
	os.WriteFile(file, []byte("email,lists,Phone\nharbourwatcher@example.com,weekend-culture,555\n"), 0o600)
	m, stdout, stderr := testMain(t, env)
	if code := m.Main(context.Background(), []string{"import", file}); code != 0 {
		t.Fatalf("import exited %d: %s", code, stderr)
	}
	for _, want := range []string{"not imported (columns the import does not read): Phone",
		"1 reader already stored: asked by mail to confirm the lists added", "1 confirmation mail sent"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("import printed %q, want %q", stdout, want)
		}
	}
}
