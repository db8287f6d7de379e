package mailer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/hibiken/asynq"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
)

// A Gate is a process's refusal gate (refusalGate), shared by everything
// it sends: serve's campaign batches (Sender.Gate), its confirmations and
// its welcome mails (Transport). These went to the server on their own
// while it refused every message, each failing and retried with its
// task's backoff: a confirmation task of 100 readers tried all of them at
// each of its retries, and once the server took mail again waited for the
// next one, half a minute or more. Behind the gate they wait for the
// probe with the batches, and go as soon as it is taken.
type Gate struct {
	g         refusalGate
	waiting   waiters // the queue tasks waiting, apart from the batches
	drainOnce sync.Once
	draining  chan struct{}
}

// NewGate returns an open gate, logging to log when it closes and opens.
func NewGate(log *slog.Logger) *Gate {
	return &Gate{g: refusalGate{log: log}, waiting: waiters{max: gateWaiters}, draining: make(chan struct{})}
}

// Drain ends the wait of every message at the gate, now and later: each
// fails with an error that wraps ErrStopping and tasks.ErrHandedBack, for
// the task to hand it back. serve drains its gate as it stops, with its
// SMTP pool (SMTP.Drain), which hands back those not on the wire yet.
func (g *Gate) Drain() {
	if g != nil {
		g.drainOnce.Do(func() { close(g.draining) })
	}
}

// errGateDrained is the error of a message held at the gate as it drains.
var errGateDrained = fmt.Errorf("not sent: %w: %w", ErrStopping, tasks.ErrHandedBack)

// Transport returns t sending through the gate: a message waits while the
// gate is closed, and is sent once it opens or as its probe. A batch
// (SendBatch) that the gate closes on stops handing messages to t and
// sends the rest, and those refused on the wire, once it lets them
// through, within one wait (gateHold, or until shortly before ctx's
// deadline). What it still holds then fails with a refusingError, which
// wraps tasks.ErrHandedBack: no failure, the task hands it back. A queue
// task (a confirmation's, a welcome mail's) is one of gateWaiters waiting
// at once, apart from the batches. Its messages go before the campaign
// messages waiting in t's stream (Outgoing.Transactional), within the
// same BULLETIN_SMTP_RATE.
//
// t must be a StreamSender (*SMTP, or Signing of one), whose messages
// not yet taken by a connection a cancel keeps back while those on the
// wire are answered; any other Transport (the outbox, which refuses
// nothing) is returned as it is, as is t by a nil Gate.
func (g *Gate) Transport(t Transport) Transport {
	s, ok := t.(StreamSender)
	if g == nil || !ok {
		return t
	}
	return &gatedTransport{g: g, t: t, s: s}
}

type gatedTransport struct {
	g *Gate
	t Transport
	s StreamSender
}

var _ BatchSender = (*gatedTransport)(nil)

// Send implements Transport: a message to one address is streamed, and
// one to several sent whole with t once the gate lets it through.
func (gt *gatedTransport) Send(ctx context.Context, from string, to []string, msg []byte) error {
	m := []Outgoing{{From: from, Data: msg}}
	if len(to) == 1 {
		m[0].To = to[0]
		return gt.sendAll(ctx, m, gt.sendFirst)[0]
	}
	whole := func(_ context.Context, _ Outgoing, report func(error)) { report(gt.t.Send(ctx, from, to, msg)) }
	return gt.sendAll(ctx, m, whole)[0]
}

// SendBatch implements BatchSender.
func (gt *gatedTransport) SendBatch(ctx context.Context, msgs []Outgoing) []error {
	return gt.sendAll(ctx, msgs, gt.sendFirst)
}

// sendFirst streams m ahead of the campaign messages waiting in the
// stream: what goes through a gate's Transport is a reader's own mail,
// a confirmation or a welcome (Outgoing.Transactional).
func (gt *gatedTransport) sendFirst(ctx context.Context, m Outgoing, report func(error)) {
	m.Transactional = true
	gt.s.SendAsync(ctx, m, report)
}

// sendAll sends msgs, each with send, through the gate and returns one
// error per message, in order.
func (gt *gatedTransport) sendAll(ctx context.Context, msgs []Outgoing, send func(context.Context, Outgoing, func(error))) []error {
	errs := make([]error, len(msgs))
	w, final := gt.g.waitersOf(ctx)
	until := holdUntil(ctx, final)
	pending := make([]int, len(msgs))
	for i := range pending {
		pending[i] = i
	}
	for len(pending) > 0 {
		run, err := gt.g.g.enter(ctx, w, gt.g.draining, until)
		if err != nil {
			if errors.Is(err, errDraining) {
				err = errGateDrained
			} else if !errors.Is(err, errRefusing) {
				err = fmt.Errorf("not sent: %w", err)
			}
			for _, i := range pending {
				errs[i] = err
			}
			break
		}
		pending = gt.sendRun(ctx, run, msgs, pending, errs, send)
	}
	return errs
}

// waitersOf returns the count of waiters a run with ctx is one of: the
// gate's, for a queue task, none for a run outside the queue; and whether
// the task is on its last attempt, when it is counted in none either.
func (g *Gate) waitersOf(ctx context.Context) (*waiters, bool) {
	if _, ok := asynq.GetTaskID(ctx); !ok {
		return nil, false
	}
	retried, _ := asynq.GetRetryCount(ctx)
	if most, ok := asynq.GetMaxRetry(ctx); ok && retried >= most {
		return nil, true
	}
	return &g.waiting, false
}

// sendRun sends the messages of msgs at pending in one run of the gate,
// the first alone when the run holds the probe, writes their outcomes to
// errs and returns those to send again once the gate lets them: all of
// them when the probe was not taken, else those the gate's closing kept
// back or the server refused for now while it closed.
func (gt *gatedTransport) sendRun(ctx context.Context, run *gateRun, msgs []Outgoing, pending []int, errs []error, send func(context.Context, Outgoing, func(error))) []int {
	g := &gt.g.g
	defer g.leave(run) // a probe not sent goes to another run
	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	g.watch(run, cancel)
	if run.probe {
		g.probeSent(run)
		var o outcome
		done := make(chan error, 1)
		m := msgs[pending[0]]
		send(sctx, m, func(err error) {
			o = g.answeredTo(gateOutcome(err), m.To, replyOf(err), true)
			done <- err
		})
		err := <-done
		closed, _ := g.isClosed()
		if closed && o != bounced {
			return pending
		}
		// Taken, or refused for its address alone (for good, or for now
		// while the server takes other mail), which leaves the gate
		// closed and the next probe free to go at once: it is not sent
		// again.
		errs[pending[0]] = err
		pending = pending[1:]
		if closed {
			return pending
		}
	}
	got := make([]error, len(pending))
	counted := make([]outcome, len(pending))
	var wg sync.WaitGroup
	for k, i := range pending {
		wg.Add(1)
		send(sctx, msgs[i], func(err error) {
			counted[k] = g.answeredTo(gateOutcome(err), msgs[i].To, replyOf(err), false)
			got[k] = err
			wg.Done()
		})
	}
	wg.Wait()
	closed, _ := g.isClosed()
	var again []int
	for k, i := range pending {
		err := got[k]
		held := errors.Is(err, context.Canceled) && errors.Is(context.Cause(sctx), errRefusing)
		if err != nil && closed && (held || counted[k] == refused) {
			again = append(again, i)
			continue
		}
		errs[i] = err
	}
	return again
}

// replyOf is the server's reply in err, as the gate keeps it.
func replyOf(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
