package queue

import (
	"encoding/json"
	"fmt"

	"github.com/hibiken/asynq"
)

// TypeWelcomeSend sends one reader the welcome mail of one list.
const TypeWelcomeSend = "welcome:send"

// A WelcomePayload names the reader and the list of a welcome mail.
type WelcomePayload struct {
	SubscriberID int64 `json:"subscriber_id"`
	ListID       int64 `json:"list_id"`
}

// NewWelcomeTask returns the task of one welcome mail; its ID makes a
// second enqueue of the same mail a no-op while the first is queued.
func NewWelcomeTask(p WelcomePayload) (*asynq.Task, []asynq.Option) {
	buf, _ := json.Marshal(p)
	id := fmt.Sprintf("welcome:%d:%d", p.SubscriberID, p.ListID)
	return asynq.NewTask(TypeWelcomeSend, buf), []asynq.Option{
		asynq.Queue(QueueDefault), asynq.TaskID(id), asynq.MaxRetry(10),
	}
}
