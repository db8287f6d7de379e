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

// A recorder writes results by group commit: whatever arrived, from any
// task, since the last write goes in the next one, one Ledger.Record per
// campaign, at most every few milliseconds. SQLite then commits once for
// many results, and a worker queues one delivery:record task for them,
// while no result waits longer than a write and its pause.
type recorder struct {
	ledger  Ledger
	every   time.Duration
	mu      sync.Mutex
	next    map[int64][]entry // filling while the writer works
	writing bool
}

// An entry is a result waiting to be written, and the tally of its task.
type entry struct {
	r tasks.Result
	t *tally
}

// A tally follows the results of one task until they are written.
type tally struct {
	wg   sync.WaitGroup // one per result, done when written
	mu   sync.Mutex
	temp int   // results to be retried
	err  error // the first failed write
}

func (t *tally) addTemp() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.temp++
}

func (t *tally) written(err error) {
	if err != nil {
		t.mu.Lock()
		if t.err == nil {
			t.err = err
		}
		t.mu.Unlock()
	}
	t.wg.Done()
}

// add queues result r of campaign cid for the next write, starting a
// writer when none runs; t hears when it is written.
func (r *recorder) add(cid int64, res tasks.Result, t *tally) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.next == nil {
		r.next = map[int64][]entry{}
	}
	r.next[cid] = append(r.next[cid], entry{res, t})
	if !r.writing {
		r.writing = true
		go r.write()
	}
}

// write writes what has arrived until nothing has. Its context is its
// own: what went out must be written down even when the task that sent it
// ended.
func (r *recorder) write() {
	for {
		r.mu.Lock()
		batch := r.next
		r.next = nil
		if len(batch) == 0 {
			r.writing = false
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
		start := time.Now()
		for cid, es := range batch {
			results := make([]tasks.Result, len(es))
			for i, e := range es {
				results[i] = e.r
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			err := r.ledger.Record(ctx, cid, sameTime(results))
			cancel()
			for _, e := range es {
				e.t.written(err)
			}
		}
		time.Sleep(r.every - time.Since(start))
	}
}

// sameTime gives the plain sent results of one write the time of the
// last of them, milliseconds apart at most, so that the ledger can mark
// them all in one statement.
func sameTime(results []tasks.Result) []tasks.Result {
	var last time.Time
	for _, r := range results {
		if r.Status == tasks.ResultSent && r.Reply == "" && r.At.After(last) {
			last = r.At
		}
	}
	for i := range results {
		if results[i].Status == tasks.ResultSent && results[i].Reply == "" {
			results[i].At = last
		}
	}
	return results
}
