package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// A relay that answers 451 to every message for 20 s gets the
// confirmations of 100 signups a message at a time while it refuses,
// behind the probe of the gate the campaign batches wait at, not each
// confirmation at each of its task's retries (2, 6, 14 s after the
// first: about 400 RCPTs); and once it takes mail again they go within
// seconds, not at the task's next retry, half a minute on. No
// confirmation counts as failed meanwhile (no WARN says one was not
// sent), and each reader gets one.
func TestConfirmationsHoldBackWhileTheRelayRefuses(t *testing.T) {
	const n = 100
	srv := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{TempFailRate: 1}))
	proxy := smtptest.CountRCPT(t, srv.Addr())
	c := newCluster(t, 0, 0, "BULLETIN_SMTP_URL=smtp://"+proxy.Addr+"?tls=none", "BULLETIN_SIGNUP_RATE=0")
	_, addr := c.start("serve", "serve")
	signUpReaders(t, addr, n, 4)

	time.Sleep(20 * time.Second)
	during := proxy.RCPTs()
	srv.SetFaults(smtptest.Faults{})
	end := time.Now()
	for deadline := end.Add(60 * time.Second); srv.Recipients() < n; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d readers have their confirmation 60 s after the relay took mail again", srv.Recipients(), n)
		}
	}
	took := time.Since(end)
	time.Sleep(time.Second) // a second copy, if any, is on its way
	t.Logf("%d RCPTs in the 20 s the relay refused every message; every confirmation went %s after it took mail again",
		during, took.Round(100*time.Millisecond))

	// 32 refusals in a row close the gate, with what was on the wire (8
	// connections), and a message tries the relay 1, 3, 7 and 15 s on.
	if during > 150 {
		t.Errorf("%d RCPTs for %d confirmations in the 20 s the relay refused every message, want at most 150", during, n)
	}
	// The next probe goes at most 10 s after the last, and the tasks held
	// in serve go at once then; those handed back within the queue's
	// retry and its look for retries due.
	if took > 15*time.Second {
		t.Errorf("the confirmations went %s after the relay took mail again, want within 15 s", took)
	}
	for i := range n {
		if got := srv.Count(fmt.Sprintf("reader%03d@example.com", i)); got != 1 {
			t.Errorf("reader%03d@example.com got %d confirmations, want 1", i, got)
		}
	}
	log, _ := os.ReadFile(filepath.Join(c.data, "serve.log"))
	for _, line := range strings.Split(string(log), "\n") {
		if strings.Contains(line, "level=WARN") && strings.Contains(line, "confirmation not sent") {
			t.Errorf("a confirmation held back counted as failed: %s", line)
		}
	}
}
