package mailer

import (
	"context"
	"sync"
)

// A StreamSender sends messages as they are handed over and reports each
// one's outcome as soon as it is known, so that a caller can record a
// message the moment the server accepts it, and keep the transport fed
// without waiting for the slowest message of a batch. *SMTP is one.
type StreamSender interface {
	SendAsync(ctx context.Context, m Outgoing, report func(error))
}

var _ StreamSender = (*SMTP)(nil)

// Batch adapts a Transport that sends one message at a time, such as the
// outbox, to a BatchSender and StreamSender, sending up to conns messages
// at once.
func Batch(t Transport, conns int) BatchSender {
	if b, ok := t.(BatchSender); ok {
		return b
	}
	return &oneByOne{t: t, sem: make(chan struct{}, max(conns, 1))}
}

type oneByOne struct {
	t   Transport
	sem chan struct{} // one token per message being sent, across calls
}

// SendBatch implements BatchSender.
func (o *oneByOne) SendBatch(ctx context.Context, msgs []Outgoing) []error {
	errs := make([]error, len(msgs))
	var wg sync.WaitGroup
	for i, m := range msgs {
		wg.Add(1)
		o.SendAsync(ctx, m, func(err error) {
			errs[i] = err
			wg.Done()
		})
	}
	wg.Wait()
	return errs
}

// SendAsync implements StreamSender.
func (o *oneByOne) SendAsync(ctx context.Context, m Outgoing, report func(error)) {
	o.sem <- struct{}{}
	go func() {
		defer func() { <-o.sem }()
		data := m.Data
		if data == nil && m.Body != nil {
			data = m.Body.AppendTo(nil)
		}
		report(o.t.Send(ctx, m.From, []string{m.To}, data))
	}()
}

// streamOf returns b as a StreamSender: itself when it is one, else an
// adapter sending each message as a batch of one, for senders (fakes in
// tests) that only batch.
func streamOf(b BatchSender) StreamSender {
	if s, ok := b.(StreamSender); ok {
		return s
	}
	return batchStream{b}
}

type batchStream struct{ b BatchSender }

func (s batchStream) SendAsync(ctx context.Context, m Outgoing, report func(error)) {
	go func() { report(s.b.SendBatch(ctx, []Outgoing{m})[0]) }()
}
