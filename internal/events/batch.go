package events

import (
	"context"
	"errors"
	"sync"
	"time"
)

// DefaultLinger is a Batcher's Linger: under a millisecond, well within
// what a provider or relay waits for an answer.
const DefaultLinger = 500 * time.Microsecond

// ErrClosed is returned by Batcher.Add after Close.
var ErrClosed = errors.New("events: closed")

// A Batcher takes events from many goroutines (SMTP sessions, webhook
// requests) and records them together: one goroutine owns the writes,
// gathers what arrived while the previous transaction committed, and
// answers each caller once its event is committed, so that a sender told
// "stored" never loses it. A batch that fails is tried again one event per
// transaction, so that a bad event fails only its caller.
type Batcher struct {
	store *Store
	// MaxBatch bounds the callers of one transaction.
	MaxBatch int
	// Linger is how long a batch waits for more callers when recent
	// batches had more (see gather).
	Linger time.Duration

	jobs chan *eventJob
	quit chan struct{}
	once sync.Once
	wg   sync.WaitGroup
}

type eventJob struct {
	evs  []Event
	err  error
	done chan struct{}
}

// NewBatcher returns a running Batcher on store; Close stops it.
func NewBatcher(store *Store) *Batcher {
	b := &Batcher{store: store, MaxBatch: 256, Linger: DefaultLinger, jobs: make(chan *eventJob, 1024), quit: make(chan struct{})}
	b.wg.Add(1)
	go b.loop()
	return b
}

// Add records evs with the events of other callers and returns once they
// are committed.
func (b *Batcher) Add(ctx context.Context, evs ...Event) error {
	if len(evs) == 0 {
		return nil
	}
	job := &eventJob{evs: evs, done: make(chan struct{})}
	select {
	case b.jobs <- job:
	case <-b.quit:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-job.done:
		return job.err
	case <-b.quit:
		return ErrClosed
	}
}

// Close stops taking events; the batch in hand is finished first.
func (b *Batcher) Close() error {
	b.once.Do(func() { close(b.quit) })
	b.wg.Wait()
	return nil
}

func (b *Batcher) loop() {
	defer b.wg.Done()
	batch := make([]*eventJob, 0, b.MaxBatch)
	var evs []Event
	var sizes batchSizes
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	for {
		select {
		case <-b.quit:
			return
		case job := <-b.jobs:
			batch = append(batch[:0], job)
		}
		batch = b.gather(batch, sizes.max(), linger)
		sizes.add(len(batch))
		evs = evs[:0]
		for _, job := range batch {
			evs = append(evs, job.evs...)
		}
		// The batch is the writer's own: callers have handed it over and
		// wait, so it does not end with their contexts.
		_, err := b.store.Record(context.Background(), evs)
		for _, job := range batch {
			if err != nil && len(batch) > 1 {
				_, job.err = b.store.Record(context.Background(), job.evs)
			} else {
				job.err = err
			}
			close(job.done)
		}
	}
}

// gather adds to batch the jobs queued already and, when recent batches
// were larger than that (callers are busy), waits up to Linger for as
// many. A transaction costs much the same for one event as for ten, so
// with several callers a short wait raises throughput; a lone caller
// never waits.
func (b *Batcher) gather(batch []*eventJob, want int, linger *time.Timer) []*eventJob {
	want = min(want, b.MaxBatch)
	if len(batch) < want && b.Linger > 0 {
		linger.Reset(b.Linger)
	wait:
		for len(batch) < want {
			select {
			case job := <-b.jobs:
				batch = append(batch, job)
			case <-linger.C:
				break wait
			case <-b.quit:
				break wait
			}
		}
		linger.Stop()
	}
	for len(batch) < b.MaxBatch {
		select {
		case job := <-b.jobs:
			batch = append(batch, job)
		default:
			return batch
		}
	}
	return batch
}

// batchSizes remembers the sizes of the last batches.
type batchSizes struct {
	n    [16]int
	next int
}

func (s *batchSizes) add(n int) {
	s.n[s.next%len(s.n)] = n
	s.next++
}

func (s *batchSizes) max() int {
	m := 0
	for _, n := range s.n {
		m = max(m, n)
	}
	return m
}
