package queue

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// Digest and feed task types. The scheduler enqueues a digest:tick every
// minute, which queues a digest:build for each list whose digest is due; a
// feed:poll polls the feeds that are due.
const (
	TypeDigestTick  = "digest:tick"
	TypeDigestBuild = "digest:build"
	TypeFeedPoll    = "feed:poll"
)

// A DigestBuildPayload names one digest to build: a list, the cadence
// (daily or weekly) and the slot, the time it became due.
type DigestBuildPayload struct {
	List    string    `json:"list"`
	Cadence string    `json:"cadence"`
	Slot    time.Time `json:"slot"`
}

// NewDigestTickTask returns the periodic task that looks for due digests.
func NewDigestTickTask() *asynq.Task { return asynq.NewTask(TypeDigestTick, nil) }

// NewFeedPollTask returns the periodic task that polls due feeds.
func NewFeedPollTask() *asynq.Task { return asynq.NewTask(TypeFeedPoll, nil) }

// NewDigestBuildTask returns the task that builds one due digest. Its ID
// names the list, cadence and slot, so ticks that find the same digest due
// queue it once; the digest's mark, checked in the transaction that builds
// it, makes a second run a no-op anyway.
func NewDigestBuildTask(p DigestBuildPayload) (*asynq.Task, []asynq.Option) {
	buf, _ := json.Marshal(p)
	id := fmt.Sprintf("digest:%s:%s:%d", p.List, p.Cadence, p.Slot.Unix())
	return asynq.NewTask(TypeDigestBuild, buf), []asynq.Option{
		asynq.Queue(QueueDefault), asynq.TaskID(id), asynq.MaxRetry(10), asynq.Timeout(10 * time.Minute),
	}
}
