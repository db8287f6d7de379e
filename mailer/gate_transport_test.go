package mailer_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/mailer"
)

// gatedBatch returns a batch of n messages and the gated transport of a
// pool to the server at addr, through gate g.
func gatedBatch(t *testing.T, g *mailer.Gate, addr string, n int) (mailer.BatchSender, []mailer.Outgoing) {
	t.Helper()
	b, ok := g.Transport(smtpAt(t, addr)).(mailer.BatchSender)
	if !ok {
		t.Fatal("the gated SMTP pool sends no batches")
	}
	msgs := make([]mailer.Outgoing, n)
	for i := range msgs {
		to := fmt.Sprintf("reader%03d@example.com", i)
		msgs[i] = mailer.Outgoing{From: "news@example.com", To: to, Data: []byte("To: " + to + "\r\nSubject: Confirm\r\n\r\nHello\r\n")}
	}
	return b, msgs
}

// A batch sent through the gate to a server that refuses every message
// stops once 32 refusals close it, waits behind the probe, and sends the
// rest, and those refused, once the server takes the probe: every
// message once, in the one call.
func TestGatedBatchWaitsForTheProbeAndSendsOnce(t *testing.T) {
	mailer.SetGate(t.Cleanup, 100*time.Millisecond, 500*time.Millisecond)
	srv := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{TempFailRate: 1}))
	proxy := smtptest.CountRCPT(t, srv.Addr())
	const n = 200
	b, msgs := gatedBatch(t, mailer.NewGate(nil), proxy.Addr, n)
	done := make(chan []error, 1)
	go func() { done <- b.SendBatch(context.Background(), msgs) }()
	time.Sleep(3 * time.Second)
	during := proxy.RCPTs()
	srv.SetFaults(smtptest.Faults{})
	var errs []error
	select {
	case errs = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the batch did not end 10 s after the server took mail again")
	}
	// 32 refusals, what was on the wire (2 connections), a probe each
	// half second at most.
	if during > 80 {
		t.Errorf("%d RCPTs for %d messages in the 3 s the server refused them all, want at most 80", during, n)
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("message %d: %v, want sent", i, err)
		}
	}
	for i := range n {
		if got := srv.Count(fmt.Sprintf("reader%03d@example.com", i)); got != 1 {
			t.Errorf("reader%03d got %d messages, want 1", i, got)
		}
	}
}

// A batch held at the gate is handed back, no failure, shortly before its
// context's deadline, and at once when the gate drains as the process
// stops: what it holds then goes after the restart.
func TestGatedBatchHandsBack(t *testing.T) {
	mailer.SetGate(t.Cleanup, time.Hour, time.Hour)
	srv := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{TempFailRate: 1}))
	proxy := smtptest.CountRCPT(t, srv.Addr())
	g := mailer.NewGate(nil)
	b, msgs := gatedBatch(t, g, proxy.Addr, 40)
	soon := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), 10*time.Second+300*time.Millisecond)
	}
	ctx, cancel := soon()
	defer cancel()
	for i, err := range b.SendBatch(ctx, msgs) { // closes the gate
		if !errors.Is(err, tasks.ErrHandedBack) {
			t.Errorf("message %d, refused with the rest: %v, want handed back", i, err)
		}
	}
	refused := proxy.RCPTs()

	ctx, cancel = soon()
	defer cancel()
	for i, err := range b.SendBatch(ctx, msgs[:3]) {
		if !errors.Is(err, tasks.ErrHandedBack) || ctx.Err() != nil {
			t.Errorf("message %d held until its deadline was near: %v (context: %v), want handed back before", i, err, ctx.Err())
		}
	}
	done := make(chan []error, 1)
	go func() { done <- b.SendBatch(context.Background(), msgs[:3]) }()
	time.Sleep(200 * time.Millisecond)
	g.Drain()
	select {
	case errs := <-done:
		for i, err := range errs {
			if !errors.Is(err, mailer.ErrStopping) || !errors.Is(err, tasks.ErrHandedBack) {
				t.Errorf("message %d as the gate drains: %v, want the process stopping, handed back", i, err)
			}
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a batch held at the gate still waits 5 s after it drained")
	}
	if got := proxy.RCPTs(); got != refused {
		t.Errorf("the server was asked %d more times while the gate held the messages", got-refused)
	}
}
