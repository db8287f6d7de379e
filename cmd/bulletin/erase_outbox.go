package main

import (
	"context"
	"errors"

	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

// outboxEraser is the subscribers store's erase hook: once a reader's
// erasure is committed, their mail in the outbox goes too (each .eml file
// whose envelope names one of their addresses, compared as Bulletin
// compares addresses, subscribers.EmailKey), since it holds their address,
// name and links. The outbox is there with an SMTP server set too, holding
// what was written before one was. A file that cannot be removed is
// logged, without the address, and the erasure stands.
func (m *Main) outboxEraser(out *mailer.Outbox) func(context.Context, []string) {
	log := m.Log
	return func(_ context.Context, addrs []string) {
		keys := make(map[string]bool, len(addrs))
		for _, a := range addrs {
			keys[subscribers.EmailKey(a)] = true
		}
		n, err := out.RemoveTo(func(to string) bool { return keys[subscribers.EmailKey(to)] })
		if err != nil {
			log.Error("erase: could not remove all of the erased reader's mail from the outbox", "removed", n, "err", err)
		}
	}
}

// startOutboxSweep looks through the outbox once, in the background, for
// mail to readers erased already (sweepErasedOutbox): those erased by a
// version of Bulletin that left their mail there, and a mail written
// while an erasure's hook looked through the folder. It logs how many it
// removed, never an address; it stops with ctx, and Close waits for it
// before the database closes.
func (m *Main) startOutboxSweep(ctx context.Context) {
	a := m.app
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		n, err := sweepErasedOutbox(ctx, a.Outbox, a.Subscribers.Erased)
		switch {
		case err != nil && ctx.Err() == nil:
			m.Log.Error("outbox: could not look through all of the outbox for erased readers' mail", "removed", n, "err", err)
		case n > 0:
			m.Log.Info("outbox: removed the mail to readers erased before", "removed", n)
		}
	}()
	a.closers = append(a.closers, func() error { cancel(); <-done; return nil })
}

// sweepErasedOutbox removes the messages in out whose envelope names an
// address erased reports erased (the keyed hash in erasures, which hashes
// the address as Bulletin compares addresses, subscribers.EmailKey), and
// returns how many it removed. It asks once an address. Once a question
// fails (ctx ended, the database closed) it asks no more and removes
// nothing further; the error is returned after the outbox was gone
// through, with RemoveTo's own.
func sweepErasedOutbox(ctx context.Context, out *mailer.Outbox, erased func(context.Context, string) (bool, error)) (int, error) {
	known := map[string]bool{}
	var failed error
	n, err := out.RemoveTo(func(to string) bool {
		key := subscribers.EmailKey(to)
		if key == "" || failed != nil {
			return false
		}
		gone, ok := known[key]
		if !ok {
			var err error
			if gone, err = erased(ctx, key); err != nil {
				failed = err
				return false
			}
			known[key] = gone
		}
		return gone
	})
	return n, errors.Join(failed, err)
}
