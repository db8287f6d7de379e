package queue

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/hibiken/asynq"
)

// An Enqueuer puts tasks on the queue. *asynq.Client is one.
type Enqueuer interface {
	EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
}

var (
	_ Enqueuer = (*asynq.Client)(nil)
	_ Enqueuer = (*Queue)(nil)
)

// uniqueAttempts bounds how often EnqueueUnique tries one task. A second
// attempt follows a finished task it deleted, or a task that went between
// two calls; more take other callers re-queuing the same ID at that very
// moment, and the bound keeps a caller from chasing them for ever.
const uniqueAttempts = 5

// EnqueueUnique enqueues task unless a task with its ID is already waiting
// or running: tasks that carry an ID derived from their rows are queued at
// most once however often a reconciler finds them.
//
// A task that holds the ID only because it is finished does not count.
// asynq refuses the ID of an archived task (one that used up its retries,
// or that someone archived) as long as it keeps it, up to 90 days, and
// that of a completed one for its Retention. The caller enqueues because
// SQLite, the source of truth, says the work is still owed: counting the
// conflict as success would leave it undone for good, a campaign sending
// for ever with its deliveries queued. So the finished task is deleted and
// the new one, built from the rows as they are now, takes its place with
// its retries afresh. A pending, scheduled, retry, aggregating or active
// task is left alone: it does the same work, and a copy would do it twice.
//
// Redis is asked about the task only on a conflict, never on the usual
// enqueue, and only through a Queue; any other Enqueuer (a bare client, a
// test's fake) cannot be looked through, and a conflict on it is success.
//
// The look and the delete are separate calls, and need not be one: asynq
// enqueues an ID only when no task holds it, so there are never two copies
// whatever other callers do meanwhile. A task that went after the conflict
// is enqueued afresh. A fresh copy another caller put in place of the
// archived one may be deleted and replaced by ours, which leaves one. A
// task DeleteTask refuses is active, and the next attempt counts it so.
// An active task on its last retry may be archived after this returns; the
// reconciler's next pass, which finds its work still owed, replaces it.
func EnqueueUnique(ctx context.Context, c Enqueuer, task *asynq.Task, opts ...asynq.Option) error {
	var lastErr error
	for range uniqueAttempts {
		_, err := c.EnqueueContext(ctx, task, opts...)
		// ErrDuplicateTask is the lock of the Unique option, not a task's
		// ID: it expires with its TTL whatever became of the task.
		if err == nil || errors.Is(err, asynq.ErrDuplicateTask) {
			return nil
		}
		if !errors.Is(err, asynq.ErrTaskIDConflict) {
			return err
		}
		q, ok := c.(*Queue)
		if !ok || q.inspector == nil {
			return nil
		}
		insp := q.inspector
		qname, id := taskRef(task, opts)
		if id == "" {
			return fmt.Errorf("enqueue %s: %w, and the task's ID cannot be read to look at the other", task.Type(), err)
		}
		info, err := insp.GetTaskInfo(qname, id)
		switch {
		case errors.Is(err, asynq.ErrTaskNotFound), errors.Is(err, asynq.ErrQueueNotFound):
			// It finished, without Retention, or was deleted since the
			// conflict: nothing holds the ID now.
			lastErr = err
			continue
		case err != nil:
			return fmt.Errorf("enqueue %s: look at task %s after an ID conflict: %w", task.Type(), id, err)
		case info.State != asynq.TaskStateArchived && info.State != asynq.TaskStateCompleted:
			return nil
		}
		// DeleteTask refuses an active task alone; the next attempt sees it
		// active then and counts it. Any other error (Redis gone) is the
		// next enqueue's too, which returns it.
		lastErr = insp.DeleteTask(qname, id)
	}
	return fmt.Errorf("enqueue %s: %w after %d attempts, each time with a finished or vanishing task: %v",
		task.Type(), asynq.ErrTaskIDConflict, uniqueAttempts, lastErr)
}

// Reflected types of the options taskRef reads from a task.
var (
	queueOptionType  = reflect.TypeOf(asynq.Queue(""))
	taskIDOptionType = reflect.TypeOf(asynq.TaskID(""))
)

// taskRef returns the queue and the ID task is enqueued under with opts,
// as EnqueueContext composes them: the options given to asynq.NewTask, then
// opts, the last of each kind winning. The ID is empty when none is set.
//
// asynq keeps the options given to NewTask in an unexported field, and
// some of ours are built that way (NewConfirmTask, the webhook delivery
// task), so they are read by reflection: only read, only of the two option
// types that are strings. Should asynq rename the field, the ID comes back
// empty and EnqueueUnique reports an error rather than count a conflict as
// success (TestEnqueueUniqueRequeuesArchivedConfirmTask fails then).
func taskRef(task *asynq.Task, opts []asynq.Option) (qname, id string) {
	qname = "default" // asynq's own default, base.DefaultQueueName
	if f := reflect.ValueOf(task).Elem().FieldByName("opts"); f.Kind() == reflect.Slice {
		for i := range f.Len() {
			o := f.Index(i)
			if o.Kind() != reflect.Interface || o.IsNil() {
				continue
			}
			switch o = o.Elem(); o.Type() {
			case queueOptionType:
				qname = o.String()
			case taskIDOptionType:
				id = o.String()
			}
		}
	}
	for _, o := range opts {
		if o == nil {
			continue // EnqueueContext ignores it too
		}
		switch o.Type() {
		case asynq.QueueOpt:
			qname, _ = o.Value().(string)
		case asynq.TaskIDOpt:
			id, _ = o.Value().(string)
		}
	}
	return qname, id
}
