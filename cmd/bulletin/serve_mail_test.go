package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// digest run and import send in their own process with the embedded
// Redis. Run from a shell without serve's BULLETIN_SMTP_URL, a digest
// went to the outbox folder, was reported "sent" and marked sent, its
// articles used up, and serve's readers never got it. serve notes how it
// sends in the data folder; those commands now refuse, before building
// or storing anything, to write to the outbox what serve sends over
// SMTP, and say what to set. With serve's SMTP URL they run.
func TestCommandsSendAsServeDoes(t *testing.T) {
	data := t.TempDir()
	srv := smtptest.Start(t)
	withSMTP := map[string]string{"BULLETIN_DATA": data, "BULLETIN_SMTP_URL": srv.URL()}
	m, _, _ := testMain(t, withSMTP)
	_, stop := startServe(t, m)
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	if b, err := os.ReadFile(filepath.Join(data, "serve-mail")); err != nil || string(b) != "smtp\n" {
		t.Fatalf("serve noted %q (%v), want smtp", b, err)
	}
	if code, _, stderr := run(t, withSMTP, "", "seed"); code != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	csv := filepath.Join(t.TempDir(), "readers.csv")
	os.WriteFile(csv, []byte("email,lists\nnew.reader@example.com,daily-news\n"), 0o600)

	outbox := map[string]string{"BULLETIN_DATA": data}
	for _, args := range [][]string{{"digest", "run", "--list", "daily-news"}, {"import", csv}} {
		code, _, stderr := run(t, outbox, "", args...)
		if code != 2 || !strings.Contains(stderr, "serve sends its mail over SMTP") || !strings.Contains(stderr, "Run this command with serve's BULLETIN_SMTP_URL") {
			t.Errorf("%v without BULLETIN_SMTP_URL = %d:\n%s", args, code, stderr)
		}
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(data, "bulletin.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var digests, readers int
	if err := db.QueryRow(`SELECT (SELECT COUNT(*) FROM campaigns WHERE kind = 'digest'), (SELECT COUNT(*) FROM subscribers WHERE email = 'new.reader@example.com')`).Scan(&digests, &readers); err != nil {
		t.Fatal(err)
	}
	if digests != 0 || readers != 0 {
		t.Errorf("the refused commands stored %d digests and %d readers", digests, readers)
	}
	if entries, _ := os.ReadDir(filepath.Join(data, "outbox")); len(entries) > 0 {
		t.Errorf("the refused commands wrote %d files to the outbox", len(entries))
	}

	if code, stdout, stderr := run(t, withSMTP, "", "import", csv); code != 0 || !strings.Contains(stdout, "1 confirmation mail sent") {
		t.Errorf("import with serve's SMTP URL = %d:\n%s%s", code, stdout, stderr)
	}
	if srv.Count("new.reader@example.com") != 1 {
		t.Errorf("the SMTP server got %d confirmations for the imported reader, want 1", srv.Count("new.reader@example.com"))
	}
}
