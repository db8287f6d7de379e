package mailer

import (
	"context"
	"fmt"
	"sync"
)

// A queue hands the jobs of one Send or SendBatch to the connections
// working on it, and takes back those that are to be tried again.
type queue struct {
	mu   sync.Mutex
	jobs []*job // all, in the caller's order
	todo []*job // not taken yet, retries at the end
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

// pop takes the next job; nil when there is none or ctx has ended.
func (q *queue) pop(ctx context.Context) *job {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.todo) == 0 || ctx.Err() != nil {
		return nil
	}
	j := q.todo[0]
	q.todo = q.todo[1:]
	return j
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

// finish records a job's outcome.
func (q *queue) finish(j *job, err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	j.err, j.done = err, true
}

// abort fails every job not taken yet with err.
func (q *queue) abort(err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, j := range q.todo {
		j.err, j.done = err, true
	}
	q.todo = nil
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
