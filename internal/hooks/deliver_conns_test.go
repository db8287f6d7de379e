package hooks

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Batches of one endpoint delivered at once share its limit of requests
// in flight, PerEndpoint, and so its kept-alive connections: a burst
// opens about that many connections however many tasks run (twice that
// at most: a connection goes back to the pool just after its slot is
// freed, and a request in that instant may dial), not one per request.
func TestBatchesShareTheEndpointsConnections(t *testing.T) {
	h := newHarness(t)
	h.d.Batch, h.d.Concurrency = 40, 16
	var inFlight, most, conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(5 * time.Millisecond)
		inFlight.Add(-1)
	}))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	h.endpoint(t, srv.URL, SubscriberCreated)
	const events = 480 // 12 batches: 192 requests wanted at once
	for range events {
		h.emit(t, SubscriberCreated, nil)
	}
	if _, err := h.d.Dispatch(context.Background()); err != nil {
		t.Fatal(err)
	}
	ps := h.q.take(t)
	var wg sync.WaitGroup
	for _, p := range ps {
		wg.Go(func() {
			if err := h.d.Deliver(context.Background(), p); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := count(t, h.db, `SELECT count(*) FROM webhook_attempts WHERE state = 'delivered'`); n != events {
		t.Errorf("%d delivered, want %d", n, events)
	}
	if limit := h.d.PerEndpoint; len(ps) != 12 || most.Load() > int64(limit) || conns.Load() > int64(2*limit) {
		t.Errorf("%d batches: at most %d requests in flight over %d connections, want 12 batches, at most %d in flight and %d connections",
			len(ps), most.Load(), conns.Load(), limit, 2*limit)
	}
}
