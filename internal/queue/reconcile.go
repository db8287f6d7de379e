package queue

import (
	"context"
	"fmt"
	"log/slog"
)

// A Reconciler rebuilds tasks from SQLite rows: work that a crash, a lost
// enqueue or a Redis restart dropped. It must be safe to run when nothing was
// lost (tasks carry IDs or are idempotent).
type Reconciler interface {
	Reconcile(ctx context.Context, c Enqueuer) (int, error)
}

// ReconcilerFunc adapts a function to a Reconciler.
type ReconcilerFunc func(ctx context.Context, c Enqueuer) (int, error)

// Reconcile calls f.
func (f ReconcilerFunc) Reconcile(ctx context.Context, c Enqueuer) (int, error) { return f(ctx, c) }

// Reconcilers runs registered reconcilers in order at start-up.
type Reconcilers struct {
	names []string
	fns   []Reconciler
}

// Add registers r under name.
func (rs *Reconcilers) Add(name string, r Reconciler) {
	rs.names = append(rs.names, name)
	rs.fns = append(rs.fns, r)
}

// Run runs every reconciler, logging how many tasks each re-enqueued. It
// returns the first error, after trying all of them.
func (rs *Reconcilers) Run(ctx context.Context, c Enqueuer, log *slog.Logger) error {
	var first error
	for i, r := range rs.fns {
		n, err := r.Reconcile(ctx, c)
		if err != nil {
			log.Error("reconcile", "name", rs.names[i], "err", err)
			if first == nil {
				first = fmt.Errorf("reconcile %s: %w", rs.names[i], err)
			}
			continue
		}
		if n > 0 {
			log.Info("reconciled", "name", rs.names[i], "tasks", n)
		}
	}
	return first
}
