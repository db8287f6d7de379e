package queue

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
)

// TypeSubscriberConfirm sends the double opt-in mail to a batch of pending
// subscribers, or of known ones whose signup asks for a list; a confirmed
// reader whose signup asks for none gets their links again instead (the
// already-subscribed mail). Both are flagged, claimed and reconciled alike.
const TypeSubscriberConfirm = "subscriber:confirm"

// A ConfirmItem names one confirmation to send: the subscriber and the
// confirm_sent_at its row was flagged with (unix microseconds), so a task
// for an older request cannot send on behalf of a newer one.
type ConfirmItem struct {
	ID     int64 `json:"id"`
	SentAt int64 `json:"sent_at"`
}

// A ConfirmPayload is the body of a TypeSubscriberConfirm task: the
// confirmations committed together, sent together.
type ConfirmPayload struct {
	Items []ConfirmItem `json:"items"`
}

// NewConfirmTask returns a task sending the confirmations in items. Its ID
// is derived from the items, so enqueuing the same batch twice is one task.
func NewConfirmTask(items []ConfirmItem) (*asynq.Task, error) {
	buf, err := json.Marshal(ConfirmPayload{Items: items})
	if err != nil {
		return nil, fmt.Errorf("confirm task: %w", err)
	}
	h := sha256.New()
	for _, it := range items {
		h.Write(strconv.AppendInt(nil, it.ID, 10))
		h.Write([]byte{':'})
		h.Write(strconv.AppendInt(nil, it.SentAt, 10))
		h.Write([]byte{','})
	}
	id := TypeSubscriberConfirm + ":" + hex.EncodeToString(h.Sum(nil)[:16])
	return asynq.NewTask(TypeSubscriberConfirm, buf,
		asynq.Queue(QueueDefault), asynq.TaskID(id), asynq.MaxRetry(10),
		asynq.Timeout(2*time.Minute), asynq.Retention(time.Hour)), nil
}

// ParseConfirmTask decodes the payload of a TypeSubscriberConfirm task.
func ParseConfirmTask(t *asynq.Task) (ConfirmPayload, error) {
	var p ConfirmPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return p, fmt.Errorf("confirm task payload: %v: %w", err, asynq.SkipRetry)
	}
	return p, nil
}
