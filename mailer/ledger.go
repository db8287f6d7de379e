package mailer

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
)

// doneTTL is how long a worker remembers what it sent: far longer than a
// task's retries take, so the primary has long recorded the results.
const doneTTL = 7 * 24 * time.Hour

// A RedisLedger is the Ledger of a stateless worker. What it has finished
// is kept in a Redis hash per campaign (delivery id → result), written
// right after the SMTP server answers and before the results are queued
// for the primary; a rerun of the task skips those ids and reports their
// results again, so neither a message nor its record is lost or doubled.
type RedisLedger struct {
	Redis    redis.UniversalClient
	Enqueuer tasks.Enqueuer
}

var _ Ledger = (*RedisLedger)(nil)

// Claim implements Ledger.
func (l *RedisLedger) Claim(ctx context.Context, campaignID int64, ids []int64) ([]int64, bool, error) {
	fields := make([]string, len(ids))
	for i, id := range ids {
		fields[i] = strconv.FormatInt(id, 10)
	}
	pipe := l.Redis.Pipeline()
	stop := pipe.Exists(ctx, tasks.StopKey(campaignID))
	done := pipe.HMGet(ctx, tasks.DoneKey(campaignID), fields...)
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		return nil, false, fmt.Errorf("claim: %w", err)
	}
	if stop.Val() > 0 {
		return nil, true, nil
	}
	var claimed []int64
	var again []tasks.Result
	for i, v := range done.Val() {
		s, ok := v.(string)
		if !ok {
			claimed = append(claimed, ids[i])
			continue
		}
		var r tasks.Result
		if json.Unmarshal([]byte(s), &r) == nil {
			again = append(again, r)
		}
	}
	if len(again) > 0 {
		if err := l.enqueue(ctx, campaignID, again); err != nil {
			return nil, false, err
		}
	}
	return claimed, false, nil
}

// Record implements Ledger: final results are remembered first, then
// queued for the primary. Temporary failures are only queued, so a retry
// sends them again.
func (l *RedisLedger) Record(ctx context.Context, campaignID int64, results []tasks.Result) error {
	var vals []any
	for _, r := range results {
		if r.Status == tasks.ResultRetry {
			continue
		}
		buf, _ := json.Marshal(r)
		vals = append(vals, strconv.FormatInt(r.DeliveryID, 10), string(buf))
	}
	if len(vals) > 0 {
		key := tasks.DoneKey(campaignID)
		pipe := l.Redis.TxPipeline()
		pipe.HSet(ctx, key, vals...)
		pipe.Expire(ctx, key, doneTTL)
		if _, err := pipe.Exec(ctx); err != nil {
			return fmt.Errorf("remember results: %w", err)
		}
	}
	return l.enqueue(ctx, campaignID, results)
}

func (l *RedisLedger) enqueue(ctx context.Context, campaignID int64, results []tasks.Result) error {
	t, opts, err := tasks.NewRecordTask(&tasks.RecordPayload{CampaignID: campaignID, Results: results})
	if err != nil {
		return err
	}
	if _, err := l.Enqueuer.EnqueueContext(ctx, t, opts...); err != nil {
		return fmt.Errorf("queue results: %w", err)
	}
	return nil
}

// A recorder writes results by group commit: the chunks that finish while
// a write runs, from any task, go together in the next one, one
// Ledger.Record per campaign. SQLite then commits once for many chunks,
// and a worker queues one delivery:record task for them.
type recorder struct {
	ledger  Ledger
	mu      sync.Mutex
	next    *recordBatch // filling while the writer works
	writing bool
}

// A recordBatch is results waiting to be written together.
type recordBatch struct {
	results map[int64][]tasks.Result
	errs    map[int64]error
	done    chan struct{}
}

// add queues results of campaign cid for the next write, starting a writer
// when none runs, and returns the batch to wait on.
func (r *recorder) add(cid int64, results []tasks.Result) *recordBatch {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.next
	if b == nil {
		b = &recordBatch{results: map[int64][]tasks.Result{}, errs: map[int64]error{}, done: make(chan struct{})}
		r.next = b
	}
	b.results[cid] = append(b.results[cid], results...)
	if !r.writing {
		r.writing = true
		go r.write()
	}
	return b
}

// write writes batches until none is left. Its context is its own: what
// went out must be written down even when the task that sent it ended.
func (r *recorder) write() {
	for {
		r.mu.Lock()
		b := r.next
		r.next = nil
		if b == nil {
			r.writing = false
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
		for cid, rs := range b.results {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			b.errs[cid] = r.ledger.Record(ctx, cid, rs)
			cancel()
		}
		close(b.done)
	}
}

// wait waits until b is written and returns the error of campaign cid.
func (b *recordBatch) wait(cid int64) error {
	<-b.done
	return b.errs[cid]
}
