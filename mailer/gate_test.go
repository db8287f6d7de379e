package mailer_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/logtest"
	tasks "github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/mailer"
)

// A relay that answers 451 to every RCPT for a while (an outage, a rate
// limit) gets one message now and then, not every message of every batch
// at each of its task's retries, and once it takes mail again every batch
// goes at once, not when its task's backoff is over. A worker's sender,
// its tasks on the embedded Redis, sends a campaign of 1,000 readers in
// 10 batches to a server that refuses everything for 16 s: each batch
// used to try its 100 readers at its task's every retry (2, 6, 14, 30 s
// after the first), 1,000 RCPTs in the first second, and waited for the
// retry at 30 s once the server took mail at 16 s. Nothing is lost and
// nothing sent twice, and no message failed while the server refused
// them all.
func TestSenderHoldsBackWhileTheServerRefusesEverything(t *testing.T) {
	mailer.SetGate(t.Cleanup, 100*time.Millisecond, 500*time.Millisecond)
	srv := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{TempFailRate: 1}))
	proxy := smtptest.CountRCPT(t, srv.Addr())
	q := queuetest.Embedded(t)
	pr := startPrimary(t, q)
	var log logtest.Buffer
	s := &mailer.Sender{Batch: smtpAt(t, proxy.Addr), Ledger: &mailer.RedisLedger{Redis: q.Redis(), Enqueuer: q},
		RecordEvery: 10 * time.Millisecond, Log: slog.New(slog.NewTextHandler(&log, nil))}
	startWorker(t, q, s, 16)
	const batches, per = 10, 100
	for _, p := range campaign7(batches, per) {
		enqueueSend(t, q, p)
	}

	time.Sleep(16 * time.Second)
	during := proxy.RCPTs()
	srv.SetFaults(smtptest.Faults{})
	end := time.Now()
	waitFor(t, "every reader's message", func() bool { return pr.done() == batches*per })
	took := time.Since(end)
	t.Logf("%d RCPTs in the 16 s the server refused them; every batch sent %s after it took mail again", during, took.Round(100*time.Millisecond))

	// 32 refusals in a row close the gate, with what was on the wire (2
	// connections, 4 messages each) and a probe each half second.
	if during > 200 {
		t.Errorf("%d RCPTs while the server refused every message for 16 s, want at most 200", during)
	}
	// The batches waiting in the process go at once; those handed back
	// to the queue within its retry (2 s) and its check for due retries
	// (5 s).
	if took > 12*time.Second {
		t.Errorf("the campaign ended %s after the server took mail again, want within 12 s", took)
	}
	if got := srv.Total(); got != batches*per || srv.Recipients() != batches*per {
		t.Errorf("the server took %d messages for %d readers, want %d each", got, srv.Recipients(), batches*per)
	}
	pr.mu.Lock()
	for id, st := range pr.final {
		if st != tasks.ResultSent {
			t.Errorf("delivery %d: %s, want sent", id, st)
		}
	}
	pr.mu.Unlock()
	const holds = "the mail server refuses every message for now; sending holds back, and tries one message now and then until it takes one"
	const again = "the mail server takes mail again; the batches held back send"
	if n, m := len(log.Lines(holds)), len(log.Lines(again)); n != 1 || m != 1 {
		t.Errorf("%d lines say the sender holds back and %d that it sends again, want one each:\n%s", n, m, log.String())
	}
}

// smtpAt is an SMTP pool of 2 connections to the plain-text server at addr.
func smtpAt(t *testing.T, addr string) *mailer.SMTP {
	t.Helper()
	return smtpFromURL(t, "smtp://"+addr+"?tls=none")
}
