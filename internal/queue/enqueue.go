package queue

import (
	"context"
	"errors"

	"github.com/hibiken/asynq"
)

// An Enqueuer puts tasks on the queue. *asynq.Client is one.
type Enqueuer interface {
	EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
}

var _ Enqueuer = (*asynq.Client)(nil)

// EnqueueUnique enqueues task and treats "a task with this ID already exists"
// as success: tasks that carry an ID derived from their rows are enqueued at
// most once however often a reconciler finds them.
func EnqueueUnique(ctx context.Context, c Enqueuer, task *asynq.Task, opts ...asynq.Option) error {
	_, err := c.EnqueueContext(ctx, task, opts...)
	if errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
		return nil
	}
	return err
}
