package mailer

import (
	"context"
	"sync"
)

// A window bounds the messages handed to the transport and not answered
// yet, across all tasks. A sender takes room for a group of messages at
// once and waits, in turn, until the whole group fits; answers give room
// back one by one. A full window thus wakes a waiting sender once per
// group rather than once per answered message, which on a busy pool was a
// goroutine wake-up, and often a thread wake-up, for every message.
type window struct {
	size int
	mu   sync.Mutex
	free int
	wait []*waiter // first come, first served
}

type waiter struct {
	n     int
	ready chan struct{} // closed once the room is taken for it
}

func newWindow(size int) *window { return &window{size: size, free: size} }

// acquire takes room for n messages, n ≤ size, waiting while it is not
// there or others wait before it. It fails only when ctx ends first, and
// then holds no room.
func (w *window) acquire(ctx context.Context, n int) error {
	w.mu.Lock()
	if len(w.wait) == 0 && w.free >= n {
		w.free -= n
		w.mu.Unlock()
		return nil
	}
	wt := &waiter{n: n, ready: make(chan struct{})}
	w.wait = append(w.wait, wt)
	w.mu.Unlock()
	select {
	case <-wt.ready:
		return nil
	case <-ctx.Done():
	}
	w.mu.Lock()
	select {
	case <-wt.ready: // granted meanwhile: give it back
		w.free += n
	default:
		for i, o := range w.wait {
			if o == wt {
				w.wait = append(w.wait[:i], w.wait[i+1:]...)
				break
			}
		}
	}
	w.grant() // whoever waited behind may fit now
	w.mu.Unlock()
	return ctx.Err()
}

// release gives back the room of n answered messages.
func (w *window) release(n int) {
	w.mu.Lock()
	w.free += n
	w.grant()
	w.mu.Unlock()
}

// grant hands room to the waiters in turn while the first fits; w.mu is
// held.
func (w *window) grant() {
	for len(w.wait) > 0 && w.free >= w.wait[0].n {
		wt := w.wait[0]
		w.wait = w.wait[1:]
		w.free -= wt.n
		close(wt.ready)
	}
}
