package main

import (
	"syscall"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// A worker stopped with SIGTERM in the middle of a campaign hands no more
// messages to the mail server, records those on the wire and hands the
// rest of its batches back at once; another worker sends them, and every
// reader gets the campaign once. asynq used to give the worker's tasks
// its 5 s, then hand them back while they still sent: the process's exit
// lost the results of what went out meanwhile, and a reader got it twice.
func TestWorkerStoppedMidCampaignSendsNothingTwice(t *testing.T) {
	const n = 400
	url := testRedis(t, queuetest.DBWorkers)
	smtp := smtptest.Start(t)
	c := newCluster(t, n, 0, "BULLETIN_SMTP_URL="+smtp.URL(), "BULLETIN_REDIS_URL="+url, "BULLETIN_SMTP_CONNS=2")
	_, addr := c.start("serve", "serve", "--no-send")
	env := c.env
	c.env = append(env, "BULLETIN_SMTP_RATE=40")
	w1, _ := c.start("worker1", "worker")
	c.env = env
	id := c.startCampaign(addr)
	waitTotal(t, smtp, 20)
	if err := w1.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	exited := make(chan error, 1)
	go func() { exited <- w1.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("the worker's exit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the worker did not stop within 10 s of SIGTERM")
	}
	// Handed back at once, not after asynq's shutdown wait of 5 s.
	if took := time.Since(stopped); took > 3*time.Second {
		t.Errorf("the worker took %v to stop", took)
	}
	atStop := smtp.Total()
	if atStop >= n {
		t.Fatalf("all %d sent before the stop: nothing left to test", atStop)
	}
	c.start("worker2", "worker")
	cj := c.waitSent(addr, id, 2*time.Minute)
	checkCounts(t, smtp, n, 0, 0)
	if cj.Stats["sent"] != n {
		t.Errorf("stats %v, want %d sent", cj.Stats, n)
	}
}
