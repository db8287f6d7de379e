package mailer

import (
	"context"
	"fmt"
	"slices"
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

// putBack returns a job to be tried again: at the end, or, for one that
// goes first (Outgoing.Transactional, Send), behind those that go first
// already, not behind a campaign's messages.
func (q *queue) putBack(j *job) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.addLocked(j)
}

// addLocked adds j to the jobs not taken yet: at the end, or, when it
// goes first, behind those that go first already; q.mu is held.
func (q *queue) addLocked(j *job) {
	if !j.first {
		q.todo = append(q.todo, j)
		return
	}
	i := 0
	for i < len(q.todo) && q.todo[i].first {
		i++
	}
	q.todo = slices.Insert(q.todo, i, j)
}

// remove takes j out of the jobs not taken yet, and reports whether it
// was there: when it was not, a connection has it, or had it.
func (q *queue) remove(j *job) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	i := slices.Index(q.todo, j)
	if i < 0 {
		return false
	}
	q.todo = slices.Delete(q.todo, i, i+1)
	j.leave()
	return true
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
