package mailer

import (
	"context"
	"errors"
	"testing"
	"time"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
)

// closedGate returns a gate that refuses, its next probe an hour away.
func closedGate() *Gate {
	g := NewGate(nil)
	g.g.closed, g.g.next = true, time.Now().Add(time.Hour)
	return g
}

// waitAt enters g as a run counted in w, in the background, until
// deadline; the result arrives on the channel returned.
func waitAt(g *Gate, w *waiters, deadline time.Time) chan error {
	out := make(chan error, 1)
	go func() {
		_, err := g.g.enter(context.Background(), w, g.draining, deadline)
		out <- err
	}()
	return out
}

// While the server refuses every message, gateWaiters queue tasks of a
// kind wait at the gate and the next is handed back at once; the other
// kind's count is its own, so a confirmation waits though 4 batches do
// (it was handed back, to go seconds after the probe was taken), and a
// task on its last attempt (counted nowhere) waits too: asynq archives
// a task handed back then. A worker's sender lets as many batches wait
// as it runs.
func TestGateWaitersOfEachKindAreCountedApart(t *testing.T) {
	g := closedGate()
	defer g.Drain()
	s := &Sender{Gate: g}
	s.init()
	long := time.Now().Add(time.Minute)
	var held []chan error
	for range gateWaiters {
		held = append(held, waitAt(g, &s.waiting, long))
	}
	waitUntil(t, "4 batches waiting", func() bool { g.g.mu.Lock(); defer g.g.mu.Unlock(); return s.waiting.n == gateWaiters })
	select {
	case err := <-waitAt(g, &s.waiting, long):
		if !errors.Is(err, tasks.ErrHandedBack) {
			t.Errorf("a fifth batch: %v, want handed back", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("a fifth batch waits at the gate, want handed back at once")
	}
	confirm, final := waitAt(g, &g.waiting, long), waitAt(g, nil, long)
	select {
	case err := <-confirm:
		t.Errorf("a confirmation behind 4 batches: %v, want it to wait", err)
	case err := <-final:
		t.Errorf("a task's last attempt: %v, want it to wait", err)
	case <-time.After(300 * time.Millisecond):
	}
	// The probe is taken: every run waiting goes.
	g.g.answered(taken, "", false)
	for _, c := range append(held, confirm, final) {
		if err := <-c; err != nil {
			t.Errorf("once the gate opens: %v, want through", err)
		}
	}

	w := &Sender{GateWaiters: 16}
	w.init()
	if w.waiting.max != 16 {
		t.Errorf("a worker's sender of 16 lets %d batches wait, want 16", w.waiting.max)
	}
}

// A run whose task ends within gateHold is handed back holdMargin before
// its deadline, not ended by it: a deadline's error is a failure.
func TestHoldUntilLeavesTimeToHandBack(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, _ := ctx.Deadline()
	if got := holdUntil(ctx, false); !got.Equal(d.Add(-holdMargin)) {
		t.Errorf("hold of a run with 30 s left ends %s before its deadline, want %s", d.Sub(got), holdMargin)
	}
	if got := time.Until(holdUntil(context.Background(), false)); got > gateHold || got < gateHold-time.Second {
		t.Errorf("hold of a run with no deadline: %s, want %s", got, gateHold)
	}
	long, cancel2 := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel2()
	if got := time.Until(holdUntil(long, true)); got < 14*time.Minute {
		t.Errorf("hold of a last attempt with 15 minutes left: %s, want until shortly before its deadline", got)
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 5 s", what)
		}
	}
}
