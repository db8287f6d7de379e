package mailer

import (
	"context"
	"sync"
)

// Batch adapts a Transport that sends one message at a time, such as the
// outbox, to a BatchSender, sending up to conns messages at once.
func Batch(t Transport, conns int) BatchSender {
	if b, ok := t.(BatchSender); ok {
		return b
	}
	return &oneByOne{t: t, conns: max(conns, 1)}
}

type oneByOne struct {
	t     Transport
	conns int
}

// SendBatch implements BatchSender.
func (o *oneByOne) SendBatch(ctx context.Context, msgs []Outgoing) []error {
	errs := make([]error, len(msgs))
	sem := make(chan struct{}, o.conns)
	var wg sync.WaitGroup
	for i, m := range msgs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			data := m.Data
			if data == nil && m.Body != nil {
				data = m.Body.AppendTo(nil)
			}
			errs[i] = o.t.Send(ctx, m.From, []string{m.To}, data)
		})
	}
	wg.Wait()
	return errs
}
