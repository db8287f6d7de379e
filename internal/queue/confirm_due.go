package queue

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
)

// TypeSubscriberConfirmDue sends, once the least time between two
// confirmation mails to an address is over, the mail a signup within that
// time left due: one naming a list the last mail did not. It flags the
// row and queues a TypeSubscriberConfirm task for it, as the reconciler
// does for every due row on its tick, which stays the safety net.
const TypeSubscriberConfirmDue = "subscriber:confirm_due"

// NewConfirmDueTask returns the task that sends, at at, the mail due to
// it.ID, whose last confirmation mail was flagged at it.SentAt. Its ID
// names both, so the signups held within one interval schedule one task.
//
// asynq keeps a scheduled task's time in whole seconds and runs it once
// that second has begun: at is rounded up to the next whole second, so
// that the task never runs before the interval is over.
func NewConfirmDueTask(it ConfirmItem, at time.Time) (*asynq.Task, error) {
	buf, err := json.Marshal(it)
	if err != nil {
		return nil, fmt.Errorf("confirm due task: %w", err)
	}
	if t := at.Truncate(time.Second); !t.Equal(at) {
		at = t.Add(time.Second)
	}
	id := TypeSubscriberConfirmDue + ":" + strconv.FormatInt(it.ID, 10) + ":" + strconv.FormatInt(it.SentAt, 10)
	return asynq.NewTask(TypeSubscriberConfirmDue, buf,
		asynq.Queue(QueueDefault), asynq.TaskID(id), asynq.ProcessAt(at), asynq.MaxRetry(10),
		asynq.Timeout(time.Minute)), nil
}

// ParseConfirmDueTask decodes the payload of a TypeSubscriberConfirmDue task.
func ParseConfirmDueTask(t *asynq.Task) (ConfirmItem, error) {
	var it ConfirmItem
	if err := json.Unmarshal(t.Payload(), &it); err != nil {
		return it, fmt.Errorf("confirm due task payload: %v: %w", err, asynq.SkipRetry)
	}
	return it, nil
}
