package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// import --confirmed keeps a reader the file marks pending pending, and
// queues no confirmation for it (serve's reconciler mails it): the report
// says so, and neither advises the --confirmed just given nor says that
// no confirmation went.
func TestImportConfirmedReportsTheFilesPendingReaders(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	if code, _, stderr := run(t, env, "", "seed"); code != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	file := filepath.Join(t.TempDir(), "readers.csv")
	os.WriteFile(file, []byte("email,name,lists,status\nann@example.com,Ann,daily-news,confirmed\nbob@example.com,Bob,daily-news,pending\n"), 0o600)
	code, stdout, stderr := run(t, env, "", "import", file, "--confirmed")
	if code != 0 {
		t.Fatalf("import --confirmed: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "1 new subscriber is pending, as the file's status column has it: serve mails each a confirmation within 10 minutes of running\n") ||
		strings.Contains(stdout, "use --confirmed") || strings.Contains(stdout, "confirmation mails sent") {
		t.Errorf("import --confirmed of a file with a pending reader reports:\n%s", stdout)
	}
}
