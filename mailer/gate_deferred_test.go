package mailer_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/logtest"
	tasks "github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/mailer"
)

const (
	gateHolds = "the mail server refuses every message for now; sending holds back, and tries one message now and then until it takes one"
	gateTakes = "the mail server takes mail again; the batches held back send"
)

// A campaign's last few readers whose mailboxes the relay defers ("451
// 4.3.0" to their RCPT TO, every time) while it takes every other
// address do not close the gate as they alone are retried: 10 addresses
// retried made 32 refusals in a row in four rounds, serve logged that the
// server refused every message, the retries were handed back, and a new
// reader's confirmation waited behind probes to those same addresses
// (26 s where it takes a second). Here the campaign (1,000 readers, 10
// deferred) and 8 rounds of its retries go through serve's sender, its
// confirmations through the same gate: every round is refused for now
// and not held back, the confirmation goes at once, and no line says
// the server refuses every message. A relay refusing every RCPT TO still
// closes the gate.
func TestGateStaysOpenForAddressesDeferredAlone(t *testing.T) {
	mailer.SetGate(t.Cleanup, time.Hour, time.Hour) // closed, it would hold everything to the end
	srv := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{TempFailDomain: "slow.example"}))
	proxy := smtptest.CountRCPT(t, srv.Addr())
	var log logtest.Buffer
	g := mailer.NewGate(slog.New(slog.NewTextHandler(&log, nil)))
	pool := smtpAt(t, proxy.Addr)
	s := &mailer.Sender{Batch: pool, Ledger: &memLedger{}, Gate: g, RecordEvery: 10 * time.Millisecond}
	confirm := g.Transport(pool)

	const n = 1000
	p := sendPayload(n, time.Now())
	retry := *p
	retry.Recipients = nil
	for i := range p.Recipients {
		if i%100 == 50 {
			r := &p.Recipients[i]
			r.Email = fmt.Sprintf("reader%d@slow.example", r.SubscriberID)
			retry.Recipients = append(retry.Recipients, *r)
		}
	}
	deferred := len(retry.Recipients)
	// Handed back, were the gate closed, a second in.
	soon := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), 10*time.Second+time.Second)
	}
	ctx, cancel := soon()
	defer cancel()
	if err := s.Send(ctx, p); err == nil || errors.Is(err, tasks.ErrHandedBack) {
		t.Fatalf("the campaign: %v, want %d deliveries failed for now", err, deferred)
	}
	if got := srv.Total(); got != n-deferred {
		t.Fatalf("the server took %d messages, want %d", got, n-deferred)
	}

	for round := range 8 {
		ctx, cancel := soon()
		err := s.Send(ctx, &retry)
		cancel()
		if err == nil || errors.Is(err, tasks.ErrHandedBack) || !strings.Contains(err.Error(), "failed for now") {
			t.Errorf("retry %d of the %d deferred readers: %v, want them refused for now, not held back", round+1, deferred, err)
		}
	}

	start := time.Now()
	ctx, cancel = soon()
	defer cancel()
	err := confirm.Send(ctx, "news@harbour.test", []string{"new@example.com"}, []byte("Subject: Confirm\r\n\r\nHello\r\n"))
	if took := time.Since(start); err != nil || took > 500*time.Millisecond {
		t.Errorf("a confirmation after the deferred readers' retries: %v after %s, want sent at once", err, took.Round(time.Millisecond))
	}
	if srv.Count("new@example.com") != 1 {
		t.Errorf("the new reader got %d confirmations, want 1", srv.Count("new@example.com"))
	}
	if lines := log.Lines(gateHolds); len(lines) != 0 {
		t.Errorf("the server took every address but %d, and the log says it refuses every message:\n%s", deferred, log.String())
	}

	// A relay refusing every RCPT TO closes it, with the 10 among them.
	srv.SetFaults(smtptest.Faults{TempFailRate: 1, TempFailDomain: "slow.example"})
	before := proxy.RCPTs()
	outage := sendPayload(200, time.Now())
	for i := range outage.Recipients {
		outage.Recipients[i].DeliveryID += 10000
		outage.Recipients[i].Email = fmt.Sprintf("other%d@example.com", i)
	}
	outage.Recipients = append(retry.Recipients, outage.Recipients...)
	ctx, cancel = soon()
	defer cancel()
	if err := s.Send(ctx, outage); !errors.Is(err, tasks.ErrHandedBack) {
		t.Errorf("a batch while the relay refuses every message: %v, want handed back", err)
	}
	if got := proxy.RCPTs() - before; got > 100 {
		t.Errorf("%d RCPTs for %d messages to a relay refusing every address, want at most 100", got, len(outage.Recipients))
	}
	if lines := log.Lines(gateHolds); len(lines) != 1 {
		t.Errorf("%d lines say the server refuses every message, want 1:\n%s", len(lines), log.String())
	}
}

// A probe to an address the relay defers alone (refused for now at its
// RCPT TO while it took other addresses since) neither opens the gate
// nor holds the rest back until the next probe: the next message probes
// at once, and the gate opens when the relay takes it. The probe's 451
// counted as the relay refusing every message: the next probe went 2 s
// later, and the batch was handed back before it.
func TestGateProbeToDeferredAddressIsFollowedAtOnce(t *testing.T) {
	mailer.SetGate(t.Cleanup, time.Second, time.Hour)
	srv := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{TempFailDomain: "slow.example"}))
	proxy := smtptest.CountRCPT(t, srv.Addr())
	var log logtest.Buffer
	g := mailer.NewGate(slog.New(slog.NewTextHandler(&log, nil)))
	b, msgs := gatedBatch(t, g, proxy.Addr, 60)
	slow := msgs[0]
	slow.To = "reader@slow.example"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second+300*time.Millisecond)
	defer cancel()
	errs := b.SendBatch(ctx, []mailer.Outgoing{slow, msgs[0]}) // deferred, then a message taken
	if errs[0] == nil || errors.Is(errs[0], mailer.ErrPermanent) || errs[1] != nil {
		t.Fatalf("the deferred address and the next: %v, %v; want refused for now, sent", errs[0], errs[1])
	}

	srv.SetFaults(smtptest.Faults{TempFailRate: 1})
	for i, err := range b.SendBatch(ctx, msgs[1:41]) { // 32 refusals close the gate
		if !errors.Is(err, tasks.ErrHandedBack) {
			t.Fatalf("message %d, refused with the rest: %v, want handed back", i+1, err)
		}
	}
	if len(log.Lines(gateHolds)) != 1 {
		t.Fatalf("the gate did not close on a relay refusing every message:\n%s", log.String())
	}
	srv.SetFaults(smtptest.Faults{TempFailDomain: "slow.example"})

	// Held 2.5 s at most: the probe goes 1 s after the gate closed.
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second+2500*time.Millisecond)
	defer cancel()
	errs = b.SendBatch(ctx, append([]mailer.Outgoing{slow}, msgs[41:]...))
	if errs[0] == nil || errors.Is(errs[0], tasks.ErrHandedBack) || errors.Is(errs[0], mailer.ErrPermanent) {
		t.Errorf("the probe to the deferred address: %v, want refused for now", errs[0])
	}
	for i, err := range errs[1:] {
		if err != nil {
			t.Errorf("message %d, after the probe to the deferred address: %v, want sent", 41+i, err)
		}
	}
	if len(log.Lines(gateTakes)) != 1 {
		t.Errorf("the gate did not open:\n%s", log.String())
	}
}
