package mailer

import (
	"context"
	"fmt"
	"sync"
)

// A queue hands jobs to the connections working on it, and takes back
// those that are to be tried again: the jobs of one Send or SendBatch, or
// the pool's shared stream that SendAsync feeds.
type queue struct {
	mu   sync.Mutex
	jobs []*job // all, in the caller's order; nil for the stream
	todo []*job // not taken yet, retries at the end
	// workers counts the stream's goroutines, changed under mu together
	// with todo so that a job is never left without one.
	workers int
}

func newQueue(jobs []*job) *queue {
	q := &queue{jobs: jobs}
	for _, j := range jobs {
		if !j.done {
			q.todo = append(q.todo, j)
		}
	}
	return q
}

// pop takes the next job; nil when there is none or ctx has ended. A
// stream job whose own context has ended is finished unsent: its caller
// no longer waits for it.
func (q *queue) pop(ctx context.Context) *job {
	q.mu.Lock()
	for len(q.todo) > 0 && ctx.Err() == nil {
		j := q.todo[0]
		q.todo = q.todo[1:]
		j.leave()
		if j.ctx == nil || j.ctx.Err() == nil {
			q.mu.Unlock()
			return j
		}
		q.mu.Unlock()
		q.finish(j, fmt.Errorf("smtp: not sent: %w", j.ctx.Err()))
		q.mu.Lock()
	}
	q.mu.Unlock()
	return nil
}

// putBack returns a job to be tried again, freeing its place: the
// server did not take it.
func (q *queue) putBack(j *job) {
	j.unplace()()
	q.mu.Lock()
	defer q.mu.Unlock()
	q.todo = append(q.todo, j)
}

// pending says whether jobs wait to be taken.
func (q *queue) pending() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.todo) > 0
}

// finish records a job's outcome and reports it. Its place in the pool
// frees now, unless its caller keeps it until the outcome is recorded.
func (q *queue) finish(j *job, err error) {
	free := j.unplace()
	q.mu.Lock()
	j.err, j.done = err, true
	q.mu.Unlock()
	if j.keep != nil {
		j.keep(err, free)
		return
	}
	free()
	if j.report != nil {
		j.report(err)
	}
}

// abort fails every job not taken yet with err.
func (q *queue) abort(err error) {
	q.mu.Lock()
	todo := q.todo
	q.todo = nil
	for _, j := range todo {
		j.leave()
		j.err, j.done = err, true
	}
	q.mu.Unlock()
	for _, j := range todo {
		if j.report != nil {
			j.report(err)
		}
	}
}

// errors returns the outcome of every job, in order; a job never finished
// was cut short by ctx.
func (q *queue) errors(ctx context.Context) []error {
	q.mu.Lock()
	defer q.mu.Unlock()
	errs := make([]error, len(q.jobs))
	for i, j := range q.jobs {
		switch {
		case j.done:
			errs[i] = j.err
		case ctx.Err() != nil:
			errs[i] = fmt.Errorf("smtp: not sent: %w", ctx.Err())
		default:
			errs[i] = &SendError{Message: "smtp: not sent"}
		}
	}
	return errs
}

// leave calls j's taken hook, once, as j leaves a queue's todo list.
func (j *job) leave() {
	if t := j.taken; t != nil {
		j.taken = nil
		t()
	}
}

// A message the server accepted and its sender has not yet recorded as
// sent goes out a second time if the process dies then (kill -9, power
// loss): the next run finds it claimed but not done. To bound those, a
// pool has places, chunkWindow per connection (Conns×chunkWindow, 32 by
// default), and a job takes one before its data is written. A job frees
// its place once its outcome is recorded when its caller says when that
// is (SendAsyncHeld, the campaign sender: after its ledger's write),
// else as soon as it is answered; a job put back frees it at once. So at
// any moment no more than Conns×chunkWindow messages can have been
// accepted without being recorded, whichever connections they went on,
// broken ones included.
//
// A connection waits for a place only when it has nothing unanswered of
// its own: the places it waits for are then held by messages answered
// already, whose records are on their way, or in flight on connections
// that do not wait; so none waits on another in a circle.
type places chan struct{}

func newPlaces(n int) places { return make(places, n) }

// free gives one place back.
func (p places) free() { <-p }

// nop frees no place: the job held none.
func nop() {}

// unplace takes j's place from it and returns what frees it.
func (j *job) unplace() func() {
	f := j.place
	if f == nil {
		return nop
	}
	j.place = nil
	return f
}
