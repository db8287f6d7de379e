package queue_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
)

// openQueue opens the embedded queue, or the real Redis CI provides.
func openQueue(t *testing.T, redisURL string) *queue.Queue {
	t.Helper()
	q, err := queue.Open(redisURL)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { q.Close() })
	if err := q.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	return q
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// backends are the embedded server and, when CI gives one, this package's
// own database of the real Redis, emptied.
func backends(t *testing.T) map[string]string {
	b := map[string]string{"embedded": ""}
	if os.Getenv("BULLETIN_TEST_REDIS_URL") != "" {
		b["redis-server"] = queuetest.RedisURL(t, queuetest.DBQueue)
	}
	return b
}

// The reconciler hook re-enqueues work found in rows, and the worker runs it;
// a second run finds the same rows and enqueues nothing twice.
func TestReconcilerEnqueuesOnceAndTheServerRunsIt(t *testing.T) {
	for name, url := range backends(t) {
		t.Run(name, func(t *testing.T) {
			q := openQueue(t, url)
			ctx := context.Background()
			rows := []string{"1", "2", "3"} // stand-ins for SQLite rows still pending
			var rs queue.Reconcilers
			rs.Add("test", queue.ReconcilerFunc(func(ctx context.Context, c queue.Enqueuer) (int, error) {
				for _, id := range rows {
					task := asynq.NewTask("test:work", []byte(id), asynq.TaskID("work-"+id))
					if err := queue.EnqueueUnique(ctx, c, task); err != nil {
						return 0, err
					}
				}
				return len(rows), nil
			}))
			for i := 0; i < 2; i++ {
				if err := rs.Run(ctx, q.Client, quietLog()); err != nil {
					t.Fatalf("Run %d: %v", i, err)
				}
			}

			done := make(chan string, 10)
			mux := asynq.NewServeMux()
			mux.HandleFunc("test:work", func(ctx context.Context, task *asynq.Task) error {
				done <- string(task.Payload())
				return nil
			})
			srv := asynq.NewServerFromRedisClient(q.Redis(), queue.ServerConfig(map[string]int{queue.QueueDefault: 1}, 2, quietLog()))
			if err := srv.Start(mux); err != nil {
				t.Fatal(err)
			}
			defer srv.Shutdown()
			seen := map[string]int{}
			timeout := time.After(10 * time.Second)
			for len(seen) < len(rows) {
				select {
				case id := <-done:
					seen[id]++
				case <-timeout:
					t.Fatalf("handled %v before the timeout, want %v", seen, rows)
				}
			}
			select {
			case id := <-done:
				t.Errorf("task %s ran twice", id)
			case <-time.After(300 * time.Millisecond):
			}
		})
	}
}

func TestReconcilersReportErrorsAfterTryingAll(t *testing.T) {
	var rs queue.Reconcilers
	ran := 0
	rs.Add("broken", queue.ReconcilerFunc(func(ctx context.Context, c queue.Enqueuer) (int, error) {
		ran++
		return 0, errors.New("boom")
	}))
	rs.Add("fine", queue.ReconcilerFunc(func(ctx context.Context, c queue.Enqueuer) (int, error) {
		ran++
		return 0, nil
	}))
	err := rs.Run(context.Background(), nil, quietLog())
	if err == nil || ran != 2 {
		t.Fatalf("Run = %v after %d reconcilers, want an error after 2", err, ran)
	}
}

// The embedded server's clock follows real time, so keys with a TTL (asynq's
// unique locks) expire.
func TestEmbeddedRedisExpiresKeys(t *testing.T) {
	q := openQueue(t, "")
	if !q.Embedded() {
		t.Fatal("empty URL did not start the embedded server")
	}
	ctx := context.Background()
	if err := q.Redis().Set(ctx, "k", "v", 300*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if n, _ := q.Redis().Exists(ctx, "k").Result(); n == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("key with a 300 ms TTL still exists after 5 s")
}

func TestOpenRejectsBadURL(t *testing.T) {
	if _, err := queue.Open("http://not-redis"); err == nil {
		t.Error("Open accepted an http URL")
	}
}

func TestRetryDelayGrowsAndIsBounded(t *testing.T) {
	prev := time.Duration(0)
	for n := 0; n < 20; n++ {
		d := queue.RetryDelay(n, nil, nil)
		if d < prev || d > 10*time.Minute {
			t.Fatalf("RetryDelay(%d) = %v after %v", n, d, prev)
		}
		prev = d
	}
	if prev != 10*time.Minute {
		t.Errorf("RetryDelay caps at %v, want 10m", prev)
	}
}

// The embedded server listens on loopback only and answers no one without
// the random password the queue's own clients carry.
func TestEmbeddedRedisNeedsItsPassword(t *testing.T) {
	q := openQueue(t, "")
	opt, ok := q.Opt.(asynq.RedisClientOpt)
	if !ok {
		t.Fatalf("Opt is %T, want asynq.RedisClientOpt", q.Opt)
	}
	if host, _, _ := net.SplitHostPort(opt.Addr); host != "127.0.0.1" {
		t.Errorf("embedded Redis listens on %s, want 127.0.0.1", opt.Addr)
	}
	if len(opt.Password) < 32 {
		t.Fatalf("embedded Redis password %d characters long, want 32 or more", len(opt.Password))
	}
	ctx := context.Background()
	for _, pw := range []string{"", "wrong"} {
		rdb := redis.NewClient(&redis.Options{Addr: opt.Addr, Password: pw})
		err := rdb.Set(ctx, "k", "v", 0).Err()
		rdb.Close()
		if err == nil {
			t.Errorf("a client with password %q wrote to the embedded Redis", pw)
		}
	}
	if err := q.Redis().Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Errorf("the queue's own client: %v", err)
	}
	// Each embedded server gets its own password.
	if other := openQueue(t, "").Opt.(asynq.RedisClientOpt); other.Password == opt.Password {
		t.Error("two embedded servers share a password")
	}
}
