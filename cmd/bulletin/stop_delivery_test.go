package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// A graceful stop in the middle of a campaign sends no message twice:
// serve's own batches stop at their next message, record what went, and
// hand the rest back before the journal, the transport and the database
// close. They used to send on through the shutdown into a closed journal:
// a SIGTERM while 60,000 readers were mailed to the outbox sent 54 of them
// again after the restart, and left half-written files in the outbox.
func TestDeliverySurvivesSIGTERM(t *testing.T) {
	const n = 3000
	for _, mail := range []string{"smtp", "outbox"} {
		t.Run(mail, func(t *testing.T) {
			var env []string
			var smtp *smtptest.Server
			if mail == "smtp" {
				smtp = smtptest.Start(t)
				env = append(env, "BULLETIN_SMTP_URL="+smtp.URL())
			}
			c := newCluster(t, n, 0, env...)
			serve, addr := c.start("serve1", "serve")
			id := c.startCampaign(addr)
			sent := func() int {
				if smtp != nil {
					return smtp.Total()
				}
				names, _ := os.ReadDir(filepath.Join(c.data, "outbox"))
				return len(names)
			}
			for deadline := time.Now().Add(60 * time.Second); sent() < n/3; time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("only %d messages after 60 s", sent())
				}
			}
			terminate(t, serve, "serve")
			at := sent()
			_, addr = c.start("serve2", "serve")
			cj := c.waitSent(addr, id, 3*time.Minute)
			if cj.Stats["sent"] != n || cj.Stats["queued"] != 0 {
				t.Errorf("stats %v", cj.Stats)
			}
			if smtp != nil {
				checkCounts(t, smtp, n, 0, 0)
			} else {
				checkOutbox(t, filepath.Join(c.data, "outbox"), n)
			}
			t.Logf("%d messages sent before the stop", at)
		})
	}
}

// checkOutbox checks that the outbox holds one message for each of the n
// readers, and no file left half-written.
func checkOutbox(t *testing.T, dir string, n int) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	copies := map[string]int{}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("half-written file %s left in the outbox", e.Name())
			continue
		}
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if to, ok := strings.CutPrefix(sc.Text(), "X-Envelope-To: <"); ok {
				copies[strings.TrimSuffix(to, ">")]++
				break
			}
		}
		f.Close()
	}
	for i := range n {
		if email := fmt.Sprintf("reader%05d@example.com", i); copies[email] != 1 {
			t.Errorf("%s got %d copies, want 1", email, copies[email])
		}
	}
	if len(copies) != n {
		t.Errorf("the outbox has mail to %d addresses, want %d", len(copies), n)
	}
}
