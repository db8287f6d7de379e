package hooks

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// BenchmarkDeliver measures events posted per second to a receiver on
// loopback through the SQLite outbox: claims, batch posts over keep-alive
// connections, outcomes recorded a batch a transaction, batches run 8 at
// a time as asynq workers would (asynq itself left out).
func BenchmarkDeliver(b *testing.B) {
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1) }))
	b.Cleanup(srv.Close)
	h := newHarness(b)
	h.endpoint(b, srv.URL, SubscriberCreated)
	ctx := context.Background()
	b.ResetTimer()
	for start := 0; start < b.N; start += 500 {
		err := h.db.Tx(ctx, func(tx *sql.Tx) error {
			for i := start; i < min(start+500, b.N); i++ {
				if err := Emit(ctx, tx, SubscriberCreated, map[string]int{"id": i}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for got.Load() < int64(b.N) {
		if _, err := h.d.Dispatch(ctx); err != nil {
			b.Fatal(err)
		}
		ps := h.q.take(b)
		var wg sync.WaitGroup
		sem := make(chan struct{}, 8)
		for _, p := range ps {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				if err := h.d.Deliver(ctx, p); err != nil {
					b.Error(err)
				}
			}()
		}
		wg.Wait()
		if len(ps) == 0 && got.Load() < int64(b.N) {
			b.Fatalf("nothing due, %d of %d posted", got.Load(), b.N)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
