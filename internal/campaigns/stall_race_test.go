package campaigns

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
)

// The watcher and the start-up reconcile look at Redis at the same
// moment when serve starts: the first to set the mark is no loss, whichever
// of the two records its look first. A start on a fresh embedded Redis
// logged "Redis came back without its data" in one start of four.
func TestWatchRedisTwoFirstLooksAtOnceAreNoLoss(t *testing.T) {
	q, err := queue.Open(queuetest.RedisURL(t, 10)) // dbStall, the stall tests' database
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	for i := range 300 {
		if err := q.Redis().Del(ctx, watchKey).Err(); err != nil {
			t.Fatal(err)
		}
		s := &Service{Queue: q, Redis: q.Redis(), Log: quiet}
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				<-start
				s.watchRedis(ctx, time.Now())
			})
		}
		close(start)
		wg.Wait()
		if _, lost, _ := s.watch.get(); !lost.IsZero() {
			t.Fatalf("look %d: two first looks at once were taken for a loss of Redis's data", i)
		}
	}
}
