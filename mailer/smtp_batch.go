package mailer

import (
	"context"
	"fmt"
	"sync"
)

// Outgoing is one message of a batch: envelope sender, recipient, and
// either its bytes or a Body that writes them when the message is sent.
type Outgoing struct {
	From string
	To   string
	Data []byte
	// Body, when Data is nil, composes the message at the moment it goes
	// out, into a buffer its connection reuses: a batch waiting for a
	// connection then holds no message bytes, however large it is.
	Body Composer
	// RelayID, when set, is given the id the relay named the message by
	// in its reply to the data (see RelayID), or "" when it named none,
	// once the message is accepted and before its outcome is reported.
	RelayID *string
	// Transactional marks a reader's own mail (a confirmation, a welcome
	// mail, an already-subscribed mail): handed to the stream (SendAsync),
	// it goes before the campaign messages waiting there. Behind them, at
	// BULLETIN_SMTP_RATE, a signup's confirmation waited for the whole
	// campaign (25 s for 3,000 readers at 100 a second); in front, it
	// takes the rate's next free turn, and the campaign the one after.
	Transactional bool
}

// A Composer appends a message to dst and returns the result. It cannot
// fail: whatever could make it fail is checked before the message is
// queued.
type Composer interface {
	AppendTo(dst []byte) []byte
}

// SendBatch sends msgs over up to Conns connections at once and returns
// one error (nil for sent) per message, in order. To a server that offers
// CHUNKING and PIPELINING a message goes out in one write with its
// envelope, several unanswered at a time (smtp_chunk.go); to one that
// offers PIPELINING only, its envelope goes out together with the end of
// the previous message's data, so that a message costs one round trip;
// otherwise the commands go one by one.
func (s *SMTP) SendBatch(ctx context.Context, msgs []Outgoing) []error {
	jobs := make([]*job, len(msgs))
	for i, m := range msgs {
		jobs[i] = &job{from: m.From, to: []string{m.To}, data: m.Data, body: m.Body, relayID: m.RelayID}
		if err := checkEnvelope(m.From, jobs[i].to); err != nil {
			jobs[i].err, jobs[i].done = err, true
		}
	}
	q := newQueue(jobs)
	var wg sync.WaitGroup
	for range min(s.cfg.Conns, len(q.todo)) {
		wg.Go(func() { s.work(ctx, q) })
	}
	wg.Wait()
	return q.errors(ctx)
}

// work sends from q, on a new connection whenever one breaks, until q is
// empty, ctx ends or no connection can be had.
func (s *SMTP) work(ctx context.Context, q *queue) {
	for q.pending() && ctx.Err() == nil {
		if s.draining.Load() {
			q.abort(errDrained)
			return
		}
		c, err := s.acquire(ctx)
		if err != nil {
			if ctx.Err() != nil {
				err = fmt.Errorf("smtp: not sent: %w", ctx.Err())
			}
			q.abort(err)
			return
		}
		w := sender{ctx: ctx, s: s, c: c, q: q}
		stop := c.watch(ctx)
		w.run()
		stop()
		s.release(c)
	}
}

// A sender sends jobs over one connection.
type sender struct {
	ctx context.Context
	s   *SMTP
	c   *smtpConn
	q   *queue
}

// run sends until the queue is empty or the connection breaks.
func (w *sender) run() {
	j := w.next()
	if w.c.chunking {
		w.runChunked(j)
		return
	}
	if j == nil || !w.open(j) {
		return
	}
	for j != nil && !w.c.broken {
		j = w.finish(j)
	}
}

// pop takes the next job, if any; none once the pool drains, when every
// job not taken yet fails.
func (w *sender) pop() *job {
	if w.s.draining.Load() {
		w.q.abort(errDrained)
		return nil
	}
	return w.q.pop(w.ctx)
}

// next takes the next job, when the rate limit lets it go.
func (w *sender) next() *job {
	for {
		j := w.pop()
		if j == nil || w.s.limiter == nil {
			return j
		}
		ctx := w.ctx
		if j.ctx != nil {
			ctx = j.ctx // a stream job waits for as long as its caller
		}
		err := w.s.limiter.Wait(ctx)
		if err == nil {
			return j
		}
		w.q.finish(j, fmt.Errorf("smtp: not sent: %w", err))
	}
}

// open starts j: with pipelining its envelope goes out now, without it in
// finish. It reports whether the connection still works.
func (w *sender) open(j *job) bool {
	if !w.c.pipelining {
		return true
	}
	w.c.writeEnvelope(j)
	return w.settle(j, w.c.flush(), false)
}

// finish completes j and returns the next job, already opened, if any.
// With pipelining and no rate limit the next envelope rides along with
// j's data.
func (w *sender) finish(j *job) *job {
	var err error
	if w.c.pipelining {
		err = w.c.readEnvelope(j)
	} else {
		err = w.c.envelopeLockstep(j)
	}
	if err != nil {
		return w.after(w.settle(j, err, false))
	}
	w.c.writeData(j)
	var n *job
	if w.c.pipelining && w.s.limiter == nil {
		if n = w.pop(); n != nil {
			w.c.writeEnvelope(n)
		}
	}
	reply, err := w.c.flushRead(n)
	j.reply = reply
	w.c.lastRefused = err != nil // the reply to the message's data
	ok := w.settle(j, err, true)
	switch {
	case n == nil:
		return w.after(ok)
	case !ok:
		w.q.putBack(n)
		return nil
	}
	return n
}

// after returns the next job, opened unless it goes by BDAT, when the
// connection still works.
func (w *sender) after(ok bool) *job {
	if !ok {
		return nil
	}
	n := w.next()
	if n == nil || w.c.chunking {
		return n
	}
	if !w.open(n) {
		return nil
	}
	return n
}

// settle records j's outcome and reports whether the connection works.
func (w *sender) settle(j *job, err error, dataSent bool) bool {
	if err == nil {
		if dataSent {
			if j.relayID != nil {
				*j.relayID = RelayID(j.reply)
			}
			w.q.finish(j, nil)
		}
		return true
	}
	se, broken, retry := classify(err, dataSent)
	if w.c.lastRefused {
		se = messageRefused(se)
	}
	switch {
	case broken && w.ctx.Err() != nil:
		w.q.finish(j, fmt.Errorf("smtp: %w", w.ctx.Err()))
	case retry && j.tries == 0:
		j.tries++
		w.q.putBack(j)
	default:
		w.q.finish(j, se)
	}
	w.c.broken = w.c.broken || broken
	return !w.c.broken
}
