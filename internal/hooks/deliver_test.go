package hooks

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A receiver that answers 500 three times then 200 gets the same event
// four times, with the same webhook-id, each signed for its timestamp;
// the delivery log shows it delivered after 4 attempts.
func TestDeliverRetriesWithTheSameID(t *testing.T) {
	h := newHarness(t)
	r := newReceiver(t, 500, 500, 500, 200)
	e := h.endpoint(t, r.URL+"/hook", SubscriberConfirmed)
	r.secret = e.Secret
	h.emit(t, SubscriberConfirmed, map[string]any{"id": 7, "email": "a@example.com"})

	for i := range 4 {
		if n := h.round(t); n != 1 {
			t.Fatalf("round %d: %d batches, want 1", i, n)
		}
		if n := h.round(t); n != 0 {
			t.Fatalf("round %d again before the backoff: %d batches, want 0", i, n)
		}
		h.now = h.now.Add(Backoff(i+1) + time.Second)
	}
	h.round(t)

	hits := r.got()
	if len(hits) != 4 {
		t.Fatalf("receiver got %d requests, want 4", len(hits))
	}
	for i, hit := range hits {
		if hit.ID != hits[0].ID || !strings.HasPrefix(hit.ID, "msg_") {
			t.Errorf("request %d webhook-id %q, want %q on every retry", i, hit.ID, hits[0].ID)
		}
		if !hit.Verified {
			t.Errorf("request %d: signature does not verify", i)
		}
		if hit.Body["type"] != SubscriberConfirmed || hit.Body["timestamp"] == nil {
			t.Errorf("request %d body %v, want type and timestamp", i, hit.Body)
		}
	}
	if hits[0].Timestamp == hits[3].Timestamp {
		t.Errorf("retries carry the first attempt's timestamp %s, want their own", hits[0].Timestamp)
	}
	log, err := h.store.Deliveries(context.Background(), e.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 {
		t.Fatalf("delivery log has %d rows, want 1", len(log))
	}
	got := log[0]
	want := Delivery{ID: hits[0].ID, Type: SubscriberConfirmed, State: "delivered", Attempts: 4, StatusCode: 200}
	got.LatencyMS, got.CreatedAt, got.LastAt, got.DeliveredAt = 0, time.Time{}, nil, nil
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("delivery log (-want +got):\n%s", diff)
	}
	if n := count(t, h.db, `SELECT COUNT(*) FROM webhook_endpoints WHERE failing_since IS NOT NULL`); n != 0 {
		t.Errorf("endpoints failing after a success = %d, want 0", n)
	}
}

// A failure is retried, with the last error in the log, until 24 hours
// have passed; then the event is given up.
func TestDeliverGivesUpAfterADay(t *testing.T) {
	h := newHarness(t)
	r := newReceiver(t, 503)
	e := h.endpoint(t, r.URL, CampaignFinished)
	h.emit(t, CampaignFinished, nil)
	start := h.now
	for h.now.Sub(start) <= MaxAge+time.Hour {
		h.round(t)
		h.now = h.now.Add(10 * time.Minute)
	}
	n := len(r.got())
	if n < 8 || n > 16 {
		t.Errorf("attempts over 24 h = %d, want about a dozen", n)
	}
	log, err := h.store.Deliveries(context.Background(), e.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if log[0].State != "failed" || log[0].StatusCode != 503 || log[0].Error != "answered 503 Service Unavailable" || log[0].Attempts != n {
		t.Errorf("log %+v, want failed after %d attempts with the 503", log[0], n)
	}
	h.now = h.now.Add(24 * time.Hour)
	h.round(t)
	if len(r.got()) != n {
		t.Error("a failed event was posted again")
	}
}

// An endpoint failing for 3 days is switched off, with a reason the admin
// shows; enabling it clears that.
func TestEndpointDisabledAfterThreeDaysOfFailures(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	r := newReceiver(t, 500)
	e := h.endpoint(t, r.URL, SubscriberUpdated)
	start := h.now
	for h.now.Sub(start) < DisableAfter+2*time.Hour {
		h.emit(t, SubscriberUpdated, nil)
		h.round(t)
		h.now = h.now.Add(2 * time.Hour)
	}
	got, err := h.store.Get(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Active || got.DisabledAt == nil || !strings.Contains(got.DisabledReason, "answered 500") {
		t.Fatalf("after 3 days of 500s: active %v, disabled_at %v, reason %q; want disabled with the error", got.Active, got.DisabledAt, got.DisabledReason)
	}
	if d, err := h.store.Disabled(ctx); err != nil || len(d) != 1 {
		t.Errorf("Disabled() = %v, %v; want the endpoint", d, err)
	}
	if n := count(t, h.db, `SELECT COUNT(*) FROM webhook_attempts WHERE state = 'pending'`); n != 0 {
		t.Errorf("%d attempts still pending for the disabled endpoint, want 0: they are given up", n)
	}
	before := len(r.got())
	h.emit(t, SubscriberUpdated, nil)
	h.now = h.now.Add(time.Hour)
	h.round(t)
	if len(r.got()) != before {
		t.Error("a disabled endpoint was posted to")
	}
	on := true
	if got, err = h.store.Update(ctx, e.ID, Input{Active: &on}); err != nil {
		t.Fatal(err)
	}
	if !got.Active || got.DisabledAt != nil || got.FailingSince != nil || got.DisabledReason != "" {
		t.Errorf("enabled again: %+v, want active with no failure record", got)
	}
}

// A receiver that does not answer within the timeout is a failure.
func TestDeliverTimeout(t *testing.T) {
	h := newHarness(t)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	h.d.Client.Timeout = 200 * time.Millisecond
	e := h.endpoint(t, srv.URL, DigestSent)
	h.emit(t, DigestSent, nil)
	h.round(t)
	log, err := h.store.Deliveries(context.Background(), e.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if log[0].State != "pending" || log[0].Error != "no answer within 10 s" || log[0].NextAt == nil {
		t.Errorf("log %+v, want pending again after a timeout", log[0])
	}
}

// A batch whose task was lost (Redis restarted, the process killed) is
// claimed again once its lease ends; the lost task, should it run late,
// posts nothing. Release at start-up makes claimed rows due at once.
func TestLostBatchIsClaimedAgain(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	r := newReceiver(t, 200)
	h.endpoint(t, r.URL, SubscriberCreated)
	for range 3 {
		h.emit(t, SubscriberCreated, nil)
	}
	if _, err := h.d.Dispatch(ctx); err != nil {
		t.Fatal(err)
	}
	lost := h.q.take(t)
	if len(lost) != 1 || len(lost[0].Events) != 3 {
		t.Fatalf("batches %+v, want one of 3 events", lost)
	}
	if h.round(t) != 0 {
		t.Fatal("claimed rows were dispatched again within the lease")
	}
	h.now = h.now.Add(h.d.Lease + time.Second)
	if _, err := h.d.Dispatch(ctx); err != nil {
		t.Fatal(err)
	}
	again := h.q.take(t)
	if len(again) != 1 || len(again[0].Events) != 3 {
		t.Fatalf("after the lease: batches %+v, want the 3 events again", again)
	}
	if err := h.d.Deliver(ctx, lost[0]); err != nil { // the lost task turns up late
		t.Fatal(err)
	}
	if n := len(r.got()); n != 0 {
		t.Errorf("the superseded task posted %d requests, want 0", n)
	}
	if err := h.d.Deliver(ctx, again[0]); err != nil {
		t.Fatal(err)
	}
	if n := len(r.got()); n != 3 {
		t.Errorf("receiver got %d requests, want 3", n)
	}

	h.emit(t, SubscriberCreated, nil)
	if _, err := h.d.Dispatch(ctx); err != nil {
		t.Fatal(err)
	}
	h.q.take(t) // lost with a kill -9
	if n, err := h.d.Release(ctx); err != nil || n != 1 {
		t.Fatalf("Release() = %d, %v; want 1", n, err)
	}
	if h.round(t) != 1 || len(r.got()) != 4 {
		t.Errorf("after Release: %d requests, want 4", len(r.got()))
	}
}

// Many events to one endpoint go in batches of Batch, every one once.
func TestDispatchBatches(t *testing.T) {
	h := newHarness(t)
	h.d.Batch = 10
	r := newReceiver(t, 204)
	h.endpoint(t, r.URL, SubscriberCreated)
	for range 25 {
		h.emit(t, SubscriberCreated, nil)
	}
	if n := h.round(t); n != 3 {
		t.Errorf("batches = %d, want 3", n)
	}
	seen := map[string]bool{}
	for _, hit := range r.got() {
		seen[hit.ID] = true
	}
	if len(seen) != 25 || len(r.got()) != 25 {
		t.Errorf("receiver got %d requests, %d ids; want 25 and 25", len(r.got()), len(seen))
	}
}

// Backoff grows from 5 s to at most 5 h.
func TestBackoff(t *testing.T) {
	var got []time.Duration
	for n := 1; n <= 9; n++ {
		got = append(got, Backoff(n))
	}
	want := []time.Duration{5 * time.Second, 20 * time.Second, 80 * time.Second, 320 * time.Second, 1280 * time.Second,
		5120 * time.Second, 5 * time.Hour, 5 * time.Hour, 5 * time.Hour}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Backoff (-want +got):\n%s", diff)
	}
}

// Prune deletes events past Keep, and a subscriber.erased event (it
// holds the address) as soon as it is delivered.
func TestPrune(t *testing.T) {
	h := newHarness(t)
	r := newReceiver(t, 200)
	h.endpoint(t, r.URL, SubscriberErased, SubscriberCreated)
	h.emit(t, SubscriberCreated, map[string]string{"email": "old@example.com"})
	h.now = h.now.Add(Keep - time.Hour)
	h.emit(t, SubscriberCreated, map[string]string{"email": "new@example.com"})
	h.emit(t, SubscriberErased, map[string]string{"email": "gone@example.com"})
	h.now = h.now.Add(2 * time.Hour)
	if err := h.d.Prune(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := count(t, h.db, `SELECT COUNT(*) FROM webhook_events`); n != 2 {
		t.Errorf("events after the first prune = %d, want 2 (the old one gone, the erasure pending)", n)
	}
	h.round(t)
	if err := h.d.Prune(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := count(t, h.db, `SELECT COUNT(*) FROM webhook_events WHERE body LIKE '%gone@example.com%'`); n != 0 {
		t.Errorf("the delivered erasure event is kept (%d), want it gone", n)
	}
	if n := count(t, h.db, `SELECT COUNT(*) FROM webhook_attempts`); n != 1 {
		t.Errorf("attempts after pruning = %d, want 1 (their log goes with their events)", n)
	}
}
