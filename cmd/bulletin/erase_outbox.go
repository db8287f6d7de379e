package main

import (
	"context"

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
