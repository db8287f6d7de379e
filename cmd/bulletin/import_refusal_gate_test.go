package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// The confirmations that `bulletin import` sends itself (the embedded
// Redis) wait at the refusal gate, as serve's do: while the relay answers
// 451 to every message they are held behind its probe, and once it takes
// mail again they all go, each reader's once, within the import. They
// went to the relay one after another, each refused: a hundred RCPTs for
// the first task, after which the import queued no more, every
// confirmation left to serve's reconciler and none sent by the import.
func TestImportConfirmationsWaitAtTheGate(t *testing.T) {
	const n, outage = 600, 5 * time.Second
	srv, proxy, env, file := refusingImport(t, n)
	var during int
	recovered := time.AfterFunc(outage, func() {
		during = proxy.RCPTs()
		srv.SetFaults(smtptest.Faults{})
	})
	defer recovered.Stop()
	start := time.Now()
	code, stdout, stderr := run(t, env, "", "import", file, "--list", "daily-news")
	took := time.Since(start)
	if code != 0 {
		t.Fatalf("import: exit %d: %s\n%s", code, stderr, stdout)
	}
	t.Logf("%d RCPTs in the %v the relay refused every message; the import took %v:\n%s", during, outage, took.Round(100*time.Millisecond), stdout)
	if took < outage {
		t.Fatalf("the import ended %v in, before the relay took mail again:\n%s", took, stdout)
	}
	// 32 refusals in a row close the gate, with what was on the wire (8
	// connections), and a probe 1 and 3 s after it closed.
	if during > 80 {
		t.Errorf("%d RCPTs for %d confirmations in the %v the relay refused every message, want at most 80", during, n, outage)
	}
	if want := fmt.Sprintf("%d confirmation mails sent\n", n); !strings.Contains(stdout, want) {
		t.Errorf("the import's report does not say %q:\n%s", want, stdout)
	}
	for i := range n {
		if got := srv.Count(fmt.Sprintf("reader%03d@example.com", i)); got != 1 {
			t.Errorf("reader%03d@example.com got %d confirmations, want 1", i, got)
		}
	}
}

// Ctrl-C while the import's confirmations wait at the gate (the relay
// refusing every message) ends the wait at once: the gate drains and
// hands back what it holds, whose readers stay flagged for serve's
// reconciler. Held, a task waited out the gate's minute, Ctrl-C or not.
func TestImportInterruptedWhileConfirmationsWaitAtTheGate(t *testing.T) {
	srv, proxy, env, file := refusingImport(t, 300)
	m, stdout, stderr := testMain(t, env)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := time.AfterFunc(2500*time.Millisecond, cancel)
	defer stop.Stop()
	start := time.Now()
	code := m.Main(ctx, []string{"import", file, "--list", "daily-news"})
	took := time.Since(start)
	// Every line is stored by then: it ends as an import does, whose
	// confirmations are left to serve.
	if took > 6*time.Second || !strings.Contains(stdout.String(), "0 confirmation mails sent or queued; the rest go within 5 minutes of serve running") {
		t.Errorf("import stopped 2.5 s in while its confirmations waited at the gate: exit %d after %v, want it to end within 6 s, the confirmations left to serve\n%s%s",
			code, took.Round(100*time.Millisecond), stdout, stderr)
	}
	if srv.Total() != 0 {
		t.Errorf("the relay took %d messages while it refused every one", srv.Total())
	}
	after := proxy.RCPTs()
	time.Sleep(2 * time.Second)
	if got := proxy.RCPTs(); got != after {
		t.Errorf("%d RCPTs after the import ended", got-after)
	}
}

// refusingImport is a seeded data folder whose mail server refuses every
// message for now (a 451 to each, until srv's faults are cleared),
// reached through proxy, which counts its RCPTs, and a CSV file of n new
// readers to import into it.
func refusingImport(t *testing.T, n int) (srv *smtptest.Server, proxy *smtptest.RCPTCounter, env map[string]string, file string) {
	t.Helper()
	srv = smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{TempFailRate: 1}))
	proxy = smtptest.CountRCPT(t, srv.Addr())
	env = map[string]string{"BULLETIN_DATA": t.TempDir(), "BULLETIN_SMTP_URL": "smtp://" + proxy.Addr + "?tls=none",
		"BULLETIN_SECRET": "integration-secret-0123456789abcdef01"}
	if code, _, stderr := run(t, env, "", "seed"); code != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	var csv strings.Builder
	csv.WriteString("email,name\n")
	for i := range n {
		fmt.Fprintf(&csv, "reader%03d@example.com,Reader %d\n", i, i)
	}
	file = filepath.Join(t.TempDir(), "readers.csv")
	if err := os.WriteFile(file, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, proxy, env, file
}
