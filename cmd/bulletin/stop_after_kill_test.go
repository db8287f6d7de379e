package main

import (
	"syscall"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// A SIGTERM to a serve that took up the batches of a killed one stops
// their sending at once, as it stops serve's own. After a kill -9 the
// restart queues again the batches handed out, and its queue, not serve's
// own fan-out, runs them: a stop left those sending for the 5 s asynq
// waits, then abandoned them mid-send, and the messages on the wire then
// went again after the next start (a tester counted 466-879 messages sent
// after the SIGTERM, and 23 second copies).
func TestSIGTERMAfterKill9StopsTheQueuedBatches(t *testing.T) {
	const n = 1500
	smtp := smtptest.Start(t)
	// 400 messages a second: the campaign outlasts both stops.
	c := newCluster(t, n, 0, "BULLETIN_SMTP_URL="+smtp.URL(), "BULLETIN_SMTP_RATE=400")
	serve, addr := c.start("serve1", "serve")
	id := c.startCampaign(addr)
	waitTotal(t, smtp, n/5)
	kill9(t, serve)
	serve, _ = c.start("serve2", "serve")
	waitTotal(t, smtp, smtp.Total()+200) // the queued batches send
	if err := serve.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	at, asked := smtp.Total(), time.Now()
	stopped := make(chan error, 1)
	go func() { stopped <- serve.Wait() }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("serve2 stopped with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve2 did not stop within 10 s of SIGTERM")
	}
	took, after := time.Since(asked), smtp.Total()-at
	t.Logf("serve2 stopped %v after SIGTERM, %d messages accepted meanwhile", took.Round(time.Millisecond), after)
	// At most what was on the wire or waiting for the rate limit's next
	// slot: 8 connections with 4 chunks each. A stop that leaves the
	// batches running sends at 400 a second until asynq abandons them.
	if after > 64 {
		t.Errorf("%d messages went out after SIGTERM, want at most those on the wire (64)", after)
	}
	if took > 4*time.Second {
		t.Errorf("serve2 took %v to stop, want well within asynq's 5 s wait for its tasks", took)
	}
	_, addr = c.start("serve3", "serve")
	cj := c.waitSent(addr, id, 3*time.Minute)
	if cj.Stats["sent"] != n || cj.Stats["queued"] != 0 {
		t.Errorf("stats %v", cj.Stats)
	}
	// The kill's bound (messages on the wire at the kill, see
	// TestDeliveryWithFaultsSurvivesKill9); the stop adds none.
	checkCounts(t, smtp, n, 0, 32)
}
