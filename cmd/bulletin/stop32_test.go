package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A SIGTERM in the middle of a campaign logs the batches it hands back
// once, not a line per batch ("batch sent in part … context canceled",
// 33 of them at 20,000 readers, most for batches that had sent nothing),
// ends with one line saying serve stopped, and leaves the journal empty:
// the next start used to log that it "recorded the results a stopped
// serve had read from the SMTP server and not yet written", which reads
// as a recovery from a crash. No message goes twice.
func TestCleanStopLogsLittleAndLeavesNothingToRecover(t *testing.T) {
	const n = 3000
	c := newCluster(t, n, 0)
	serve, addr := c.start("serve1", "serve")
	id := c.startCampaign(addr)
	outbox := filepath.Join(c.data, "outbox")
	sent := func() int {
		names, _ := os.ReadDir(outbox)
		return len(names)
	}
	for deadline := time.Now().Add(60 * time.Second); sent() < n/3; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d messages after 60 s", sent())
		}
	}
	stop := func(name string) string {
		t.Helper()
		terminate(t, serve, name)
		log, err := os.ReadFile(filepath.Join(c.data, name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		return string(log)
	}
	log := stop("serve1")
	if k := strings.Count(log, "batch sent in part"); k > 0 {
		t.Errorf("%d lines of batches sent in part at the stop, want one line for them all:\n%s", k, log)
	}
	lines := strings.Split(strings.TrimSpace(log), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, `msg="bulletin stopped"`) {
		t.Errorf("serve1's last line is %q, want that it stopped", last)
	}

	serve, addr = c.start("serve2", "serve")
	cj := c.waitSent(addr, id, 3*time.Minute)
	if cj.Stats["sent"] != n || cj.Stats["queued"] != 0 {
		t.Errorf("stats %v", cj.Stats)
	}
	checkOutbox(t, outbox, n)
	log = stop("serve2")
	if strings.Contains(log, "recorded the results") {
		t.Errorf("the start after a clean stop recovered results:\n%s", log)
	}
	t.Logf("serve1's stop:\n%s", strings.Join(lines[max(0, len(lines)-6):], "\n"))
}
