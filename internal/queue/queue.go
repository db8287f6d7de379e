// Package queue sets up asynq on Redis: the client that enqueues, the server
// that runs handlers, the scheduler for periodic tasks, an embedded
// Redis-compatible server for a first run with nothing installed, and the
// start-up reconciler that rebuilds lost tasks from SQLite rows.
package queue

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Queue names. The primary alone consumes QueueResults, so only it writes
// SQLite; senders anywhere consume QueueSend.
const (
	QueueDefault = "default"
	QueueSend    = "send"
	QueueResults = "results"
)

// queuesKey is the set of queue names asynq's inspector lists queues
// from (its Queues, GetQueueInfo).
const queuesKey = "asynq:queues"

// Announce adds Bulletin's queues to the set asynq's inspector lists
// queues from. An asynq client adds a queue there at its first enqueue,
// once a process: a Redis that lost its data and came back had tasks
// waiting in a queue the inspector no longer knew, so /admin/queues
// showed the send queue at 0 pending and /metrics dropped its series,
// while nothing took its tasks. The pages and the metrics announce the
// queues before they look.
func Announce(ctx context.Context, rdb redis.UniversalClient) error {
	return rdb.SAdd(ctx, queuesKey, QueueDefault, QueueSend, QueueResults).Err()
}

// A Queue is a connection to Redis with asynq's client on it.
type Queue struct {
	Client *asynq.Client
	Opt    asynq.RedisConnOpt

	rdb       redis.UniversalClient
	inspector *asynq.Inspector // looks at the task an ID conflict is with
	embedded  *miniredis.Miniredis
	repeats   *repeats // asynq's lines held back, shared by the queue's loggers
	health    *health  // whether Redis answers; nil for the embedded one
	stop      chan struct{}
	wg        sync.WaitGroup
}

// Open connects to the Redis at redisURL, or starts an embedded one on a
// loopback port when redisURL is empty. The embedded one requires a random
// password, which only this Queue's clients know: another local user who
// finds the port can neither read readers' addresses in the tasks nor
// queue mail.
func Open(redisURL string) (*Queue, error) {
	q := &Queue{stop: make(chan struct{}), repeats: &repeats{}}
	if redisURL == "" {
		password := rand.Text() + rand.Text() // 52 base32 characters
		mr := miniredis.NewMiniRedis()
		mr.RequireAuth(password)
		if err := mr.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("start embedded redis: %w", err)
		}
		q.embedded = mr
		q.Opt = asynq.RedisClientOpt{Addr: mr.Addr(), Password: password}
		q.wg.Add(1)
		go q.tick()
	} else {
		opt, err := asynq.ParseRedisURI(redisURL)
		if err != nil {
			return nil, fmt.Errorf("BULLETIN_REDIS_URL: %w", err)
		}
		q.Opt = opt
		q.health = &health{q: q, repeats: q.repeats}
	}
	rdb, ok := q.Opt.MakeRedisClient().(redis.UniversalClient)
	if !ok {
		q.Close()
		return nil, fmt.Errorf("open redis: unexpected client type")
	}
	q.rdb = rdb
	q.Client = asynq.NewClientFromRedisClient(rdb)
	q.inspector = asynq.NewInspectorFromRedisClient(rdb)
	return q, nil
}

// EnqueueContext enqueues task with its client. A Queue, unlike its bare
// client, is an Enqueuer EnqueueUnique can ask about the task an ID
// conflict is with.
func (q *Queue) EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error) {
	return q.Client.EnqueueContext(ctx, task, opts...)
}

// Embedded reports whether the queue runs on the in-process Redis.
func (q *Queue) Embedded() bool { return q.embedded != nil }

// Redis returns the Redis client the queue uses.
func (q *Queue) Redis() redis.UniversalClient { return q.rdb }

// tick moves the embedded server's clock with real time: miniredis only
// expires keys when told time has passed, and asynq's unique locks and
// leases rely on expiry.
func (q *Queue) tick() {
	defer q.wg.Done()
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-q.stop:
			return
		case now := <-t.C:
			q.embedded.FastForward(now.Sub(last))
			last = now
		}
	}
}

// Ping checks that Redis answers.
func (q *Queue) Ping(ctx context.Context) error {
	if err := q.rdb.Ping(ctx).Err(); err != nil {
		if q.health != nil && ctx.Err() == nil {
			q.health.failed(err)
		}
		return fmt.Errorf("ping redis: %w", err)
	}
	if q.health != nil {
		q.health.answered()
	}
	return nil
}

// Close closes the client and stops the embedded server, if any.
func (q *Queue) Close() error {
	var err error
	if q.health != nil {
		q.health.close()
	}
	if q.rdb != nil {
		err = q.rdb.Close() // the client shares it and cannot close it
	}
	close(q.stop)
	q.wg.Wait()
	if q.embedded != nil {
		q.embedded.Close()
	}
	return err
}

// ServerConfig returns the asynq server settings Bulletin uses for the given
// queues (name → priority) and concurrency.
func ServerConfig(queues map[string]int, concurrency int, log *slog.Logger) asynq.Config {
	return asynq.Config{
		Concurrency:     concurrency,
		Queues:          queues,
		ShutdownTimeout: 5 * time.Second,
		// asynq sleeps this long when it finds every queue empty; its 1 s
		// default would idle a worker between a campaign's batches.
		TaskCheckInterval: 100 * time.Millisecond,
		Logger:            newLogger(log),
		LogLevel:          asynq.WarnLevel,
		RetryDelayFunc:    RetryDelay,
		// A batch handed back by a worker that stops is run again as a
		// retry, but is no failure: it does not use up the task's retries.
		IsFailure: func(err error) bool { return !errors.Is(err, ErrHandedBack) },
	}
}

// ServerConfig is the package's ServerConfig with the queue's logger
// (Queue.Logger): a Redis that stops answering is said once in Bulletin's
// words, and asynq's repeats of its errors are held back.
func (q *Queue) ServerConfig(queues map[string]int, concurrency int, log *slog.Logger) asynq.Config {
	cfg := ServerConfig(queues, concurrency, log)
	cfg.Logger = q.Logger(log)
	return cfg
}

// ErrHandedBack marks the error of a task that is no failure of its own:
// a worker stopping in the middle of a batch hands the rest back for the
// task's next run (mailer.Sender.Drain).
var ErrHandedBack = errors.New("what was not sent is handed back for the task's next run")

// RetryDelay backs off exponentially from 2 s to at most 10 min, with n
// failures before; a task handed back (ErrHandedBack) runs again in 2 s,
// whatever failed before: asynq counts no failure for it but still backs
// off by n, and a batch or a confirmation that had failed 5 times, handed
// back by the refusal gate, waited a minute after the mail server took
// mail again.
func RetryDelay(n int, err error, _ *asynq.Task) time.Duration {
	d := 2 * time.Second
	if errors.Is(err, ErrHandedBack) {
		return d
	}
	for i := 0; i < n && d < 10*time.Minute; i++ {
		d *= 2
	}
	return min(d, 10*time.Minute)
}
