package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// A relay that answers 451 to every reader for 20 s (a tester's outage
// lasted 82) is tried a message at a time while it refuses, not every
// reader at each of their batch's retries (20,500 RCPTs for 3,000 readers
// in 80 s, 7,500 of them in the first 10 s), and once it takes mail again
// every batch goes within seconds of the next try (2,500 of the 3,000
// waited 56 s for their task's backoff). The campaign says meanwhile what
// it waits on; every reader gets it once.
func TestDeliveryHoldsBackWhileTheRelayRefuses(t *testing.T) {
	const n = 3000
	srv := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{TempFailRate: 1}))
	proxy := smtptest.CountRCPT(t, srv.Addr())
	c := newCluster(t, n, 0, "BULLETIN_SMTP_URL=smtp://"+proxy.Addr+"?tls=none")
	_, addr := c.start("serve", "serve")
	id := c.startCampaign(addr)

	time.Sleep(20 * time.Second)
	var cj struct {
		Status string
		Stats  struct {
			Queued  int
			Waiting *struct{ Reply string }
		}
	}
	if code := c.api(addr, "GET", fmt.Sprintf("/api/v1/campaigns/%d", id), nil, &cj); code != http.StatusOK {
		t.Fatalf("GET the campaign: %d", code)
	}
	during := proxy.RCPTs()
	srv.SetFaults(smtptest.Faults{})
	end := time.Now()
	done := c.waitSent(addr, id, 2*time.Minute)
	took := time.Since(end)
	t.Logf("%d RCPTs in the 20 s the relay refused every reader; the campaign was sent %s after it took mail again",
		during, took.Round(100*time.Millisecond))

	if cj.Status != "sending" || cj.Stats.Queued != n || cj.Stats.Waiting == nil || !strings.HasPrefix(cj.Stats.Waiting.Reply, "451 ") {
		t.Errorf("during the outage the campaign is %s, %d queued, waiting on %+v; want sending, %d queued, waiting on the relay's 451",
			cj.Status, cj.Stats.Queued, cj.Stats.Waiting, n)
	}
	// 32 refusals in a row hold the batches back, with what was on the
	// wire (8 connections, 4 messages each), and a message tries the relay
	// 1, 3, 7 and 15 s on.
	if during > 300 {
		t.Errorf("%d RCPTs in the 20 s the relay refused every reader, want at most 300", during)
	}
	// The next probe goes at most 10 s after the last; the batches serve
	// holds go at once then, those handed back to the queue within its
	// retry and its look for retries due (seconds).
	if took > 40*time.Second {
		t.Errorf("the campaign was sent %s after the relay took mail again, want within 40 s", took)
	}
	checkCounts(t, srv, n, 0, 0)
	if done.Stats["sent"] != n || done.Stats["failed"] != 0 {
		t.Errorf("stats %v, want all %d sent, none failed", done.Stats, n)
	}
}
