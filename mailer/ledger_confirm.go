package mailer

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
)

// A RedisLedger's write of final results is in Redis once Redis answers,
// but reaches SQLite only when the primary runs its delivery:record task.
// A Redis restarted without its data (or from an older snapshot, or a
// replica that lagged) loses the tasks the primary had not run yet, and
// the done hash with them: the reconciler then rebuilt those deliveries
// as queued, and the worker, finding nothing done, sent them again (a
// tester's reader got the same message twice after a restart of Redis).
//
// So a ledger keeps each write's final results until the primary has run
// its task (the task is gone from Redis, which has lost nothing since),
// and tells a Redis that lost them by a mark of its own: a key holding
// the number of its last write, set after each write, which only a loss
// leaves missing or older. A ledger that finds its mark so writes what it
// keeps again, done hash and tasks, before it claims anything, and checks
// every confirmEvery on its own while it keeps any.
type pendingWrites struct {
	mu      sync.Mutex
	once    sync.Once
	id      string // names the mark (markKey)
	seq     int64  // the number of the last write, which the mark holds
	pending []pendingWrite
	running bool // the checker runs
}

// A pendingWrite is one write of final results the primary has not run
// yet, as far as the ledger knows: its campaign, results and the Redis
// key of its delivery:record task.
type pendingWrite struct {
	cid     int64
	results []tasks.Result
	key     string
}

// confirmEvery is how often a ledger that keeps writes checks them.
var confirmEvery = time.Second

// confirmAtOnce bounds the tasks one check looks for, the oldest first:
// the primary runs them in about the order they came.
const confirmAtOnce = 500

// markSet sets KEYS[1] to ARGV[2] for ARGV[3] ms if it holds ARGV[1] ("0"
// for missing), and answers 1; it answers 0, changing nothing, when it
// holds anything else: Redis lost writes.
var markSet = redis.NewScript(`
local v = redis.call("GET", KEYS[1]) or "0"
if v ~= ARGV[1] then
	return 0
end
redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[3])
return 1`)

func (l *RedisLedger) markKey() string {
	l.w.once.Do(func() { l.w.id = rand.Text() })
	return "bulletin:ledger:" + l.w.id + ":mark"
}

// final returns the results among rs that end a delivery.
func final(rs []tasks.Result) []tasks.Result {
	var out []tasks.Result
	for _, r := range rs {
		if r.Status != tasks.ResultRetry {
			out = append(out, r)
		}
	}
	return out
}

// kept records the write of results of campaign cid, whose task Redis
// holds as info, and moves the mark on. When the mark says Redis lost
// writes, every write kept is written again first, this one with them.
func (l *RedisLedger) kept(ctx context.Context, cid int64, results []tasks.Result, info *asynq.TaskInfo) error {
	l.w.mu.Lock()
	defer l.w.mu.Unlock()
	l.w.pending = append(l.w.pending, pendingWrite{cid: cid, results: results, key: taskKey(info)})
	if err := l.moveMark(ctx); err != nil {
		// Kept all the same: the next write or check finds out what
		// Redis holds, and writes it again if it lost it.
		return err
	}
	l.startChecker()
	return nil
}

// moveMark sets the mark to the next write's number if it holds the
// last's, and otherwise writes again what is kept until it does; l.w.mu
// is held.
func (l *RedisLedger) moveMark(ctx context.Context) error {
	key := l.markKey()
	for range 3 {
		ok, err := markSet.Run(ctx, l.Redis, []string{key}, l.w.seq, l.w.seq+1, doneTTL.Milliseconds()).Int()
		if err != nil {
			return fmt.Errorf("mark results written: %w", err)
		}
		if ok == 1 {
			l.w.seq++
			return nil
		}
		if err := l.writeAgain(ctx); err != nil {
			return err
		}
	}
	return errors.New("mark results written: Redis keeps losing them; trying again")
}

// writeAgain writes every write kept again, done hash and task, into a
// Redis that lost them, and then takes the mark as it finds it; l.w.mu
// is held.
func (l *RedisLedger) writeAgain(ctx context.Context) error {
	found, err := l.Redis.Get(ctx, l.markKey()).Result()
	if errors.Is(err, redis.Nil) {
		found = "0"
	} else if err != nil {
		return fmt.Errorf("read the mark of results written: %w", err)
	}
	n := 0
	for i, w := range l.w.pending {
		if err := l.remember(ctx, w.cid, w.results); err != nil {
			return err
		}
		info, err := l.enqueueTask(ctx, w.cid, w.results)
		if err != nil {
			return err
		}
		l.w.pending[i].key = taskKey(info)
		n += len(w.results)
	}
	if l.Log != nil {
		l.Log.Warn("Redis lost results this worker wrote before the primary recorded them; written again", "results", n)
	}
	// The mark as found, so that moveMark's next try sets it: a Redis
	// that loses data again meanwhile leaves it other, and the writes
	// are written once more.
	v, err := strconv.ParseInt(found, 10, 64)
	if err != nil {
		v = -1
	}
	l.w.seq = v
	return nil
}

// check looks for the tasks of the oldest writes kept, forgets those the
// primary has run, and writes them all again when Redis lost them.
func (l *RedisLedger) check(ctx context.Context) error {
	l.w.mu.Lock()
	defer l.w.mu.Unlock()
	if len(l.w.pending) == 0 {
		return nil
	}
	ws := l.w.pending[:min(len(l.w.pending), confirmAtOnce)]
	// One transaction: what it reads is one state of Redis, so a task
	// missing in a Redis that holds the mark was run, not lost.
	pipe := l.Redis.TxPipeline()
	mark := pipe.Get(ctx, l.markKey())
	exists := make([]*redis.IntCmd, len(ws))
	for i, w := range ws {
		exists[i] = pipe.Exists(ctx, w.key)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("check results written: %w", err)
	}
	if mark.Val() != strconv.FormatInt(l.w.seq, 10) {
		if err := l.writeAgain(ctx); err != nil {
			return err
		}
		return l.moveMark(ctx)
	}
	var left []pendingWrite
	for i, w := range ws {
		if w.key == "" || exists[i].Val() > 0 {
			left = append(left, w)
		}
	}
	l.w.pending = append(left, l.w.pending[len(ws):]...)
	return nil
}

// startChecker checks the writes kept every confirmEvery until none is
// left, or the Redis client is closed; l.w.mu is held.
func (l *RedisLedger) startChecker() {
	if l.w.running {
		return
	}
	l.w.running = true
	every := confirmEvery
	go func() {
		for {
			time.Sleep(every)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			err := l.check(ctx)
			cancel()
			l.w.mu.Lock()
			if len(l.w.pending) == 0 || errors.Is(err, redis.ErrClosed) {
				l.w.running = false
				l.w.mu.Unlock()
				return
			}
			l.w.mu.Unlock()
		}
	}()
}

// markLost reports whether mark, as Claim read it, says Redis lost
// writes kept; it then writes them again.
func (l *RedisLedger) markLost(ctx context.Context, mark *redis.StringCmd) (bool, error) {
	l.w.mu.Lock()
	defer l.w.mu.Unlock()
	if len(l.w.pending) == 0 || mark.Val() == strconv.FormatInt(l.w.seq, 10) {
		return false, nil
	}
	// A write may have moved the mark since Claim read it.
	now, err := l.Redis.Get(ctx, l.markKey()).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return false, fmt.Errorf("read the mark of results written: %w", err)
	}
	if now == strconv.FormatInt(l.w.seq, 10) {
		return false, nil
	}
	if err := l.writeAgain(ctx); err != nil {
		return false, err
	}
	return true, l.moveMark(ctx)
}

// taskKey is the Redis key asynq keeps task info under while it has it
// (its base.TaskKey); "" without info, which is then never confirmed.
func taskKey(info *asynq.TaskInfo) string {
	if info == nil || info.ID == "" {
		return ""
	}
	return "asynq:{" + info.Queue + "}:t:" + info.ID
}
