package mailer

import (
	"context"
	"fmt"
)

// SendAsync hands m to the pool's shared stream and returns at once;
// report is called with m's outcome (nil for sent, else a *SendError or
// the error of ctx) as soon as the server has answered its data, or m has
// failed. Connections take the stream's messages one after another,
// whoever handed them over, and pipeline them (see SendBatch), so callers
// that keep the stream fed keep every connection busy without a pause
// between their batches.
//
// ctx stops m from being sent when it ends before a connection takes m; a
// message already on the wire is finished, since the server may accept it
// whatever the caller does. report must not block for long: it runs on
// the connection's goroutine.
func (s *SMTP) SendAsync(ctx context.Context, m Outgoing, report func(error)) {
	j := &job{from: m.From, to: []string{m.To}, data: m.Data, body: m.Body, ctx: ctx, report: report, relayID: m.RelayID,
		first: m.Transactional}
	if err := checkEnvelope(m.From, j.to); err != nil {
		report(err)
		return
	}
	if presigned(j) {
		s.presign(j)
		return
	}
	s.enqueue(j)
}

// enqueue hands js to the stream, starting a goroutine for them while
// fewer than Conns work on it: one for each window's worth (chunkWindow)
// of js, so that a group handed on together goes out together. A job
// that goes first (Outgoing.Transactional) is put behind those that go
// first already, before the rest.
func (s *SMTP) enqueue(js ...*job) {
	q := s.stream
	q.mu.Lock()
	for _, j := range js {
		q.addLocked(j)
	}
	start := 0
	for range (len(js) + chunkWindow - 1) / chunkWindow {
		if q.workers < s.cfg.Conns && q.workers < len(q.todo) {
			q.workers++
			start++
		}
	}
	q.mu.Unlock()
	for range start {
		go s.streamWork(q)
	}
}

// streamWork sends the stream's jobs, on a new connection whenever one
// breaks, until the stream is empty.
func (s *SMTP) streamWork(q *queue) {
	ctx := context.Background()
	for q.stay() {
		if s.draining.Load() {
			q.abort(errDrained)
			continue
		}
		c, err := s.acquire(ctx)
		if err != nil {
			q.abort(fmt.Errorf("smtp: not sent: %w", err))
			continue
		}
		w := sender{ctx: ctx, s: s, c: c, q: q}
		w.run()
		s.release(c)
	}
}

// stay says whether a stream goroutine has work; when it has none it is
// counted out in the same step, so a job pushed meanwhile starts another.
func (q *queue) stay() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.todo) > 0 {
		return true
	}
	q.workers--
	return false
}
