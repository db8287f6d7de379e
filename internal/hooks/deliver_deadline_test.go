package hooks

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A task whose context ends while a request is still in flight (asynq's
// 2-minute task timeout, a slow endpoint) must still record the outcomes
// it has: the event the endpoint answered 200 is delivered, not left
// claimed and posted again once the lease ends.
func TestDeliverRecordsAfterTheTaskDeadline(t *testing.T) {
	h := newHarness(t)
	var fast atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if strings.Contains(string(b), "slow") {
			select {
			case <-r.Context().Done():
			case <-time.After(time.Second):
			}
			return
		}
		fast.Add(1)
		w.WriteHeader(200)
	}))
	t.Cleanup(srv.Close)
	h.endpoint(t, srv.URL+"/hook", SubscriberConfirmed)
	h.emit(t, SubscriberConfirmed, map[string]any{"id": 1, "what": "fast"})
	h.emit(t, SubscriberConfirmed, map[string]any{"id": 2, "what": "slow"})

	if _, err := h.d.Dispatch(context.Background()); err != nil {
		t.Fatal(err)
	}
	ps := h.q.take(t)
	if len(ps) != 1 {
		t.Fatalf("%d batches, want 1", len(ps))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := h.d.Deliver(ctx, ps[0])
	if err != nil {
		t.Errorf("Deliver: %v", err)
	}
	if fast.Load() != 1 {
		t.Fatalf("fast event posted %d times, want 1", fast.Load())
	}
	if n := count(t, h.db, `SELECT COUNT(*) FROM webhook_attempts WHERE state = 'delivered'`); n != 1 {
		t.Errorf("%d attempts delivered after the endpoint answered 200 to one, want 1", n)
	}
	// After the lease, the delivered event goes out again.
	h.now = h.now.Add(h.d.Lease + time.Second)
	h.round(t)
	if fast.Load() != 1 {
		t.Errorf("event answered 200 posted %d times, want 1", fast.Load())
	}
}
