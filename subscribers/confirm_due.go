package subscribers

import (
	"context"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// A DueConfirmer handles queue.TypeSubscriberConfirmDue tasks: at the
// moment ConfirmInterval after a reader's last confirmation mail is over,
// it flags the mail a signup held meanwhile left due, and queues its
// TypeSubscriberConfirm task. It decides from the row as the reconciler
// does (reconcileDueSQL), in one transaction: a copy of the task, the
// reconciler's pass, a click that applied the request, or a newer mail
// leaves it nothing to flag, and the confirm task's claim sends each
// flagged mail once.
type DueConfirmer struct {
	Store *Store
	Queue queue.Enqueuer
}

// ConfirmDueAt is when the mail a signup held after the confirmation
// mail flagged at sentAt left due goes (holdRequest): ConfirmInterval
// after that mail, the moment Signups schedules its DueConfirmer task for
// and from which the reconciler's pass finds it (reconcileDueSQL).
func ConfirmDueAt(sentAt time.Time) time.Time { return sentAt.Add(ConfirmInterval) }

// dueOneSQL is reconcileDueSQL for one reader.
const dueOneSQL = reconcileDueSQL + ` AND subscribers.id = ?`

// ProcessTask implements asynq.Handler.
func (d *DueConfirmer) ProcessTask(ctx context.Context, t *asynq.Task) error {
	it, err := queue.ParseConfirmDueTask(t)
	if err != nil {
		return err
	}
	items, err := d.Store.flagDue(ctx, dueOneSQL, it.ID)
	if err != nil || len(items) == 0 {
		return err
	}
	task, err := queue.NewConfirmTask(items)
	if err == nil {
		err = queue.EnqueueUnique(ctx, d.Queue, task)
	}
	if err != nil {
		// The row is flagged: a retry would find nothing due, and the
		// reconciler queues the flagged row again.
		return fmt.Errorf("confirmation due to subscriber %d: %v; the reconciler will queue it: %w", it.ID, err, asynq.SkipRetry)
	}
	return nil
}

var _ asynq.Handler = (*DueConfirmer)(nil)
