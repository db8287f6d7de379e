package mailer

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
)

// A refusalGate holds a Sender's batches back while the mail server
// refuses every message for now (a 4xx to each, a refused or dropped
// connection), and lets one message through now and then, the probe, to
// learn when it takes mail again. Each batch retried on its own with its
// task's backoff: a relay answering 451 for 80 s got about 7 RCPTs per
// reader, 7,500 in the first 10 s, the heaviest load while it was
// overloaded; and once it took mail again most batches waited a minute
// for their next retry. Behind the gate a refusal costs one RCPT a probe,
// and a probe the server takes sends every batch waiting on at once.
//
// The gate closes after gateStreak refusals in a row with no message
// taken between them, across the sender's batches: one reader's
// greylisting, or a relay refusing some messages, does not close it. It
// cancels the batches sending then (what is not on the wire yet is
// recorded as to be retried) and lets the first probe go gateFirst later,
// each next one twice as late, up to gateMax. A probe taken, or any
// message taken, opens it. A message refused for good for its recipient's
// sake (a 5xx to its RCPT TO, "550 5.1.1 User unknown" or "501 bad
// address syntax"; a 5.1.x or 5.2.x refusal of its data; an address this
// process would not put on the wire) counts neither way: the server
// answers, but about one address, which says nothing of whether it takes
// mail now. It took the place of a message taken: a probe to an unknown
// address opened the gate while the server still refused every other
// message, and the batches waiting all went to be refused again; and a
// list with a few unknown addresses in it never closed the gate, each of
// them ending the streak of refusals. A probe so refused leaves the gate
// closed and lets the next probe go at once, its backoff unchanged.
//
// A message refused for now at its RCPT TO (a 4xx for its address, such
// as "451 4.3.0") counts as a refusal the first time, but not once the
// server has taken another message since its address was first refused
// so: the server takes mail, and refuses that address alone (its mailbox
// greylisted, full, or held for now), so it is counted neither way, as a
// 5xx to RCPT TO is, and a probe so refused is followed at once by the
// next; and refused again with nothing taken since its first refusal, it
// is counted in the streak once. A campaign's last few readers refused
// so closed the gate as they alone were retried, 10 addresses making 32
// refusals in three rounds, and held confirmations back behind probes to
// those same addresses while the server took every other message. A
// server refusing every RCPT TO still closes it, after gateStreak
// addresses: each one it refuses is new to the gate, or was refused with
// nothing taken since.
//
// The gate is a process's own: each worker probes for itself.
//
// A batch waits at the gate in its process for at most gateHold, then
// goes back to the queue. In serve only gateWaiters queue tasks of a
// kind (campaign batches; confirmations and welcome mails) wait at once,
// since each holds one of the queue's workers, which serve shares with
// fan-outs and the results of workers; the others go back at once. Each
// kind has its own count: a confirmation is not sent back to the queue
// because campaign batches wait, to go seconds after the probe is taken
// rather than with it. A worker's queue runs nothing but batches, which
// all wait (Sender.GateWaiters). A task on its last attempt is never
// handed back at once, and waits until shortly before its deadline
// rather than gateHold: asynq archives a task handed back then.
// A batch handed back so is no failure of its own (it wraps
// tasks.ErrHandedBack): it runs again within seconds without using up a
// retry, so no message fails while the server refuses them all; they go
// once it takes one.
//
// Confirmations and welcome mails wait at the same gate as the batches
// of their process (Gate.Transport).
type refusalGate struct {
	log *slog.Logger

	mu      sync.Mutex
	streak  int    // refusals in a row, with no message taken between
	reply   string // the server's latest refusal
	closed  bool
	since   time.Time     // when it closed
	next    time.Time     // when the next probe may go
	backoff time.Duration // from the last probe to the next
	probing bool          // a run holds the probe, or sent it and waits for its answer
	// bouncedProbe says the last probe answered was refused for its
	// address alone (bounced): the run that sent it may probe again.
	bouncedProbe bool
	// changed is closed, and replaced, when the gate opens or a probe
	// ends: the runs waiting look again.
	changed chan struct{}
	// sending are the cancels of the runs that send, each ended with
	// errRefusing when the gate closes.
	sending map[*gateRun]context.CancelCauseFunc
	// takes counts the messages taken; deferred holds, for each address
	// refused for now at its RCPT TO and not taken since, takes then
	// (deferral.takes): refused again after a message was taken, it is
	// refused alone.
	takes    uint64
	deferred map[string]deferral
}

// A deferral is the first refusal for now of an address's RCPT TO since
// it was last taken.
type deferral struct {
	takes uint64    // the gate's takes then
	at    time.Time // when
}

// The gate's figures; variables for the tests.
var (
	gateStreak  = 32
	gateFirst   = time.Second
	gateMax     = 10 * time.Second
	gateHold    = time.Minute
	gateWaiters = 4
	// gateDeferred is how many addresses refused for now the gate keeps
	// at most; beyond it those refused before gateDeferredAge are
	// forgotten, or all of them.
	gateDeferred    = 10000
	gateDeferredAge = time.Hour
)

// errRefusing is the cause of a batch's context cancelled, and part of
// the error of a batch that stopped or did not start, because the mail
// server refuses every message for now.
var errRefusing = errors.New("the mail server refuses every message for now")

// A refusingError is the error of a batch held back by the gate: it names
// the server's answer, and is handed back (tasks.ErrHandedBack).
type refusingError struct{ reply string }

func (e refusingError) Error() string {
	if e.reply == "" {
		return errRefusing.Error()
	}
	return errRefusing.Error() + ": " + e.reply
}

func (e refusingError) Unwrap() []error { return []error{errRefusing, tasks.ErrHandedBack} }

// A gateRun is one run of a batch, as the gate knows it.
type gateRun struct {
	probe bool // the run holds the probe and has not sent it yet
}

// waiters counts the queue tasks of one kind waiting at a gate, up to
// max; the gate's mu guards it.
type waiters struct{ n, max int }

// holdUntil is when a run with ctx stops waiting at the gate and is
// handed back: gateHold from now, or, on a task's last attempt (final),
// holdMargin before ctx's deadline; holdMargin before it in any case, so
// that the task returns its hand-back and not its deadline's error, which
// would count as a failure.
func holdUntil(ctx context.Context, final bool) time.Time {
	until := time.Now().Add(gateHold)
	d, ok := ctx.Deadline()
	switch {
	case !ok:
	case final || d.Add(-holdMargin).Before(until):
		until = d.Add(-holdMargin)
	}
	return until
}

// holdMargin is what a held run leaves of its task's time to hand its
// messages back.
const holdMargin = 10 * time.Second

// enter waits until a run may send, and returns it: at once while the gate
// is open; while it is closed, until it opens or the probe is the run's
// (gateRun.probe), until deadline at most, after which it returns a
// refusingError, as it does at once for a queue task counted in w when
// w.max of them wait already (w is nil for a run counted nowhere). It
// returns errDraining once draining is closed, and ctx's error when ctx
// ends first.
func (g *refusalGate) enter(ctx context.Context, w *waiters, draining <-chan struct{}, deadline time.Time) (*gateRun, error) {
	counted := false
	defer func() {
		if counted {
			g.mu.Lock()
			w.n--
			g.mu.Unlock()
		}
	}()
	for {
		g.mu.Lock()
		now := time.Now()
		switch {
		case !g.closed:
			g.mu.Unlock()
			return &gateRun{}, nil
		case !g.probing && !now.Before(g.next):
			g.probing = true
			g.mu.Unlock()
			return &gateRun{probe: true}, nil
		case !now.Before(deadline) || w != nil && !counted && w.n >= w.max:
			reply := g.reply
			g.mu.Unlock()
			return nil, refusingError{reply}
		}
		if w != nil && !counted {
			w.n++
			counted = true
		}
		changed := g.changedCh()
		wait := deadline.Sub(now)
		if !g.probing {
			wait = min(wait, g.next.Sub(now))
		}
		g.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-changed:
		case <-t.C:
		case <-draining:
			t.Stop()
			return nil, errDraining
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
		t.Stop()
	}
}

// watch has cancel end run's sending with errRefusing when the gate
// closes, until leave.
func (g *refusalGate) watch(run *gateRun, cancel context.CancelCauseFunc) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.sending == nil {
		g.sending = make(map[*gateRun]context.CancelCauseFunc)
	}
	g.sending[run] = cancel
}

// leave ends the watch of run, and gives back the probe if run held it
// and did not send it (it had nothing to send, or stopped first).
func (g *refusalGate) leave(run *gateRun) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.sending, run)
	if run.probe {
		run.probe = false
		g.probing = false
		g.changedLocked()
	}
}

// isClosed reports whether the gate is closed, and the refusal it holds.
func (g *refusalGate) isClosed() (bool, string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed, g.reply
}

// probeSent notes that run sent its probe: its answer ends it (answered).
func (g *refusalGate) probeSent(run *gateRun) {
	g.mu.Lock()
	defer g.mu.Unlock()
	run.probe = false
}

// retake gives run the probe again when the gate is still closed and the
// next probe may go now, which is so after a probe refused for its
// address alone (bounced): run's next message probes, rather than its
// batch being handed back for another run to probe with.
func (g *refusalGate) retake(run *gateRun) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.closed || g.probing || !g.bouncedProbe || time.Now().Before(g.next) {
		return false
	}
	g.probing, g.bouncedProbe, run.probe = true, false, true
	return true
}

// probeDone waits until the probe run sent is answered, or ctx ends, and
// reports whether the gate is open then.
func (g *refusalGate) probeDone(ctx context.Context) bool {
	for {
		g.mu.Lock()
		probing, closed, changed := g.probing, g.closed, g.changedCh()
		g.mu.Unlock()
		if !probing {
			return !closed
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return false
		}
	}
}

// An outcome is what became of a message handed to the server, as the
// gate counts it.
type outcome int

const (
	taken   outcome = iota // accepted: the server takes mail
	refused                // refused for now, or the server could not be reached
	ours                   // not sent for a reason of this process's (a stop)
	// bounced is a refusal for good of the message's recipient (a 5xx to
	// its RCPT TO, or one that blames the address): the server answers,
	// about that address alone, and the gate counts it neither way.
	bounced
	// deferred is a refusal for now of the message's RCPT TO, for its
	// address: refused, or bounced when the server took another message
	// since it first refused that address (answeredTo).
	deferred
)

// answered counts the outcome of a message, the probe when probe is set,
// the server's reply being reply.
func (g *refusalGate) answered(o outcome, reply string, probe bool) {
	g.answeredTo(o, "", reply, probe)
}

// answeredTo counts the outcome of a message to the address to ("" for
// several, or none known), the probe when probe is set, the server's
// reply being reply, and returns it as counted: deferred is refused or
// bounced.
func (g *refusalGate) answeredTo(o outcome, to, reply string, probe bool) outcome {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	o, again := g.deferral(o, to, now)
	if probe {
		g.probing, g.bouncedProbe = false, o == bounced
		defer g.changedLocked()
	}
	switch o {
	case taken:
		g.takes++
		g.streak = 0
		if g.closed {
			g.closed = false
			g.changedLocked()
			if g.log != nil {
				g.log.Info("the mail server takes mail again; the batches held back send", "held", now.Sub(g.since).Round(time.Second))
			}
		}
	case refused:
		if !again {
			g.streak++
		}
		g.reply = reply
		switch {
		case g.closed && probe:
			g.backoff = min(2*g.backoff, gateMax)
			g.next = now.Add(g.backoff)
		case !g.closed && g.streak >= gateStreak:
			g.closed, g.since = true, now
			g.backoff, g.next = gateFirst, now.Add(gateFirst)
			for _, cancel := range g.sending {
				cancel(errRefusing)
			}
			if g.log != nil {
				g.log.Warn("the mail server refuses every message for now; sending holds back, and tries one message now and then until it takes one",
					"refused", g.streak, "reply", addressRE.ReplaceAllString(reply, "<address>"))
			}
		}
	}
	return o
}

// deferral returns o, a message's outcome, as the gate counts it, and
// keeps the addresses refused for now (refusalGate.deferred): a refusal
// for now of to's RCPT TO (deferred) is refused the first time, and
// bounced once the server has taken a message since; a message taken
// ends its address's deferral. again says a refusal is of an address
// refused already since the last message taken, which the streak
// counts once: a few addresses retried and refused again and again, the
// server taking nothing else meanwhile as nothing else is sent, are not
// the server refusing every message. g.mu is held.
func (g *refusalGate) deferral(o outcome, to string, now time.Time) (_ outcome, again bool) {
	if to == "" {
		if o == deferred {
			return refused, false
		}
		return o, false
	}
	switch o {
	case taken:
		if len(g.deferred) > 0 {
			delete(g.deferred, strings.ToLower(to))
		}
	case deferred:
		key := strings.ToLower(to)
		if d, ok := g.deferred[key]; ok {
			if d.takes < g.takes {
				return bounced, false // the server takes mail, but not for to
			}
			return refused, true
		}
		if len(g.deferred) >= gateDeferred {
			for k, d := range g.deferred {
				if now.Sub(d.at) > gateDeferredAge {
					delete(g.deferred, k)
				}
			}
			if len(g.deferred) >= gateDeferred {
				clear(g.deferred)
			}
		}
		if g.deferred == nil {
			g.deferred = make(map[string]deferral)
		}
		g.deferred[key] = deferral{takes: g.takes, at: now}
		return refused, false
	}
	return o, false
}

// changedCh returns the channel closed at the next change; g.mu is held.
func (g *refusalGate) changedCh() chan struct{} {
	if g.changed == nil {
		g.changed = make(chan struct{})
	}
	return g.changed
}

// changedLocked wakes the runs waiting on the gate; g.mu is held.
func (g *refusalGate) changedLocked() {
	if g.changed != nil {
		close(g.changed)
	}
	g.changed = make(chan struct{})
}
