package events

import (
	"context"
	"errors"
	"sync"
)

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
	// MaxBatch bounds the events of one transaction.
	MaxBatch int

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
	b := &Batcher{store: store, MaxBatch: 256, jobs: make(chan *eventJob, 1024), quit: make(chan struct{})}
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
	for {
		select {
		case <-b.quit:
			return
		case job := <-b.jobs:
			batch = append(batch[:0], job)
		}
	gather:
		for len(batch) < b.MaxBatch {
			select {
			case job := <-b.jobs:
				batch = append(batch, job)
			default:
				break gather
			}
		}
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
