package mailer_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/mailer"
)

// A probe that the server refuses for good for its address alone ("550
// 5.1.1 User unknown" to its RCPT TO) does not open the gate while the
// server still refuses every other message: the next message probes, is
// refused for now, and the rest stay held. The probe's 550 counted as a
// message taken: the gate opened and the batch's 40 messages all went to
// be refused again.
func TestGateProbeToUnknownAddressKeepsItClosed(t *testing.T) {
	mailer.SetGate(t.Cleanup, time.Second, time.Hour)
	srv := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{TempFailRate: 1, RejectDomain: "gone.example"}))
	proxy := smtptest.CountRCPT(t, srv.Addr())
	g := mailer.NewGate(nil)
	b, msgs := gatedBatch(t, g, proxy.Addr, 40)
	// Handed back 300 ms before the deadline's margin: before the first
	// probe may go.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second+300*time.Millisecond)
	defer cancel()
	for i, err := range b.SendBatch(ctx, msgs) { // 32 refusals close the gate
		if !errors.Is(err, tasks.ErrHandedBack) {
			t.Fatalf("message %d, refused with the rest: %v, want handed back", i, err)
		}
	}
	before := proxy.RCPTs()

	bad := mailer.Outgoing{From: "news@example.com", To: "nobody@gone.example", Data: []byte("Subject: Confirm\r\n\r\nHello\r\n")}
	// Held until 2.5 s from now: the probe goes after 1 s, the next one
	// (after a refused probe) 2 s later.
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second+2500*time.Millisecond)
	defer cancel()
	errs := b.SendBatch(ctx, append([]mailer.Outgoing{bad}, msgs...))
	if !errors.Is(errs[0], mailer.ErrPermanent) {
		t.Errorf("the probe to an unknown address: %v, want refused for good", errs[0])
	}
	for i, err := range errs[1:] {
		if !errors.Is(err, tasks.ErrHandedBack) {
			t.Errorf("message %d, while the server still refuses every message: %v, want handed back", i, err)
		}
	}
	// The unknown address, then one probe refused for now.
	if got := proxy.RCPTs() - before; got != 2 {
		t.Errorf("%d RCPTs while the gate was closed, want 2 (the unknown address's and one probe)", got)
	}
	if srv.Total() != 0 {
		t.Errorf("the server took %d messages, want none", srv.Total())
	}
}

// Unknown addresses among the messages refused for now do not keep the
// gate open: each of their 550s ended the streak of refusals, and with
// one reader in four unknown the gate never closed, every message of the
// batch going to be refused.
func TestGateClosesThoughSomeAddressesAreUnknown(t *testing.T) {
	mailer.SetGate(t.Cleanup, time.Hour, time.Hour)
	srv := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{TempFailRate: 1, RejectDomain: "gone.example"}))
	proxy := smtptest.CountRCPT(t, srv.Addr())
	b, msgs := gatedBatch(t, mailer.NewGate(nil), proxy.Addr, 400)
	for i := range msgs {
		if i%4 == 3 {
			msgs[i].To = fmt.Sprintf("reader%03d@gone.example", i)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second+300*time.Millisecond)
	defer cancel()
	var back, bounced int
	for i, err := range b.SendBatch(ctx, msgs) {
		switch {
		case errors.Is(err, tasks.ErrHandedBack):
			back++
		case errors.Is(err, mailer.ErrPermanent):
			bounced++
			if i%4 != 3 {
				t.Errorf("message %d, to a known address: %v, want held", i, err)
			}
		default:
			t.Errorf("message %d: %v, want handed back or refused for good", i, err)
		}
	}
	// 32 refusals for now close it, with the 550s among them, and what
	// was on the wire then.
	if got := proxy.RCPTs(); got > 100 {
		t.Errorf("%d RCPTs for %d messages to a server refusing every known address, want at most 100", got, len(msgs))
	}
	if back < 250 {
		t.Errorf("%d messages handed back, %d refused for good, want the gate closed on most of the batch", back, bounced)
	}
}

// A campaign with unknown addresses among its readers, sent while the
// relay answers 451 to every other message: the gate closes though the
// unknown addresses are answered 550 all along, and a probe to one of
// them neither opens it nor ends the batch's run: its next message
// probes. Each 550 counted as a message taken, which ended the streak of
// refusals (one reader in four unknown, 32 in a row never came) and
// opened the gate when a probe got one, so that every batch tried every
// reader at each of its retries. Once the relay takes mail each known
// reader gets the campaign once, and each unknown one is bounced.
func TestSenderGateWithUnknownAddresses(t *testing.T) {
	mailer.SetGate(t.Cleanup, 100*time.Millisecond, 500*time.Millisecond)
	srv := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{TempFailRate: 1, RejectDomain: "gone.example"}))
	proxy := smtptest.CountRCPT(t, srv.Addr())
	q := queuetest.Embedded(t)
	pr := startPrimary(t, q)
	s := &mailer.Sender{Batch: smtpAt(t, proxy.Addr), Ledger: &mailer.RedisLedger{Redis: q.Redis(), Enqueuer: q},
		RecordEvery: 10 * time.Millisecond}
	startWorker(t, q, s, 16)
	const batches, per = 10, 100
	unknown := map[int64]bool{}
	for _, p := range campaign7(batches, per) {
		for i := range p.Recipients {
			if r := &p.Recipients[i]; r.SubscriberID%4 == 0 {
				r.Email = fmt.Sprintf("reader%d@gone.example", r.SubscriberID)
				unknown[r.DeliveryID] = true
			}
		}
		enqueueSend(t, q, p)
	}

	time.Sleep(8 * time.Second)
	during := proxy.RCPTs()
	srv.SetFaults(smtptest.Faults{RejectDomain: "gone.example"})
	waitFor(t, "every reader's message", func() bool { return pr.done() == batches*per })
	t.Logf("%d RCPTs in the 8 s the server refused every known reader", during)

	// 32 refusals in a row close the gate, with the unknown addresses
	// among them and what was on the wire; then a probe each half second
	// at most, and one more after each probe to an unknown address.
	if during > 300 {
		t.Errorf("%d RCPTs while the server refused every known reader for 8 s, want at most 300", during)
	}
	if got := srv.Total(); got != batches*per*3/4 {
		t.Errorf("the server took %d messages, want one for each of the %d known readers", got, batches*per*3/4)
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	for id, st := range pr.final {
		if want := map[bool]string{false: tasks.ResultSent, true: tasks.ResultBounced}[unknown[id]]; st != want {
			t.Errorf("delivery %d: %s, want %s", id, st, want)
		}
	}
}
