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
	s.sendAsync(&job{from: m.From, to: []string{m.To}, data: m.Data, body: m.Body, ctx: ctx, report: report})
}

// SendAsyncHeld is SendAsync for a caller that records each outcome
// durably, such as the campaign sender: report gets with m's outcome a
// func to call once that outcome is recorded, or failed to be, exactly
// once. Until then m keeps its place among the pool's Conns×chunkWindow
// (see places), so that no more messages than that can be accepted by
// the server and not yet recorded: what a crash may send twice.
func (s *SMTP) SendAsyncHeld(ctx context.Context, m Outgoing, report func(err error, recorded func())) {
	s.sendAsync(&job{from: m.From, to: []string{m.To}, data: m.Data, body: m.Body, ctx: ctx, keep: report})
}

// Places is how many messages can be on the wire or answered and not
// yet recorded at once: Conns×chunkWindow.
func (s *SMTP) Places() int { return cap(s.places) }

func (s *SMTP) sendAsync(j *job) {
	if err := checkEnvelope(j.from, j.to); err != nil {
		s.stream.finish(j, err)
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
// of js, so that a group handed on together goes out together.
func (s *SMTP) enqueue(js ...*job) {
	q := s.stream
	q.mu.Lock()
	q.todo = append(q.todo, js...)
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
