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

// putBack returns a job to be tried again.
func (q *queue) putBack(j *job) {
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

// finish records a job's outcome and reports it.
func (q *queue) finish(j *job, err error) {
	q.mu.Lock()
	j.err, j.done = err, true
	q.mu.Unlock()
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
