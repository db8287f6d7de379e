package hooks

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// An event commits with its change and rolls back with it; one nobody
// wants is not written at all.
func TestEmitFollowsTheTransaction(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.emit(t, SubscriberCreated, map[string]int{"id": 0}) // no endpoint yet
	if n := count(t, h.db, `SELECT COUNT(*) FROM webhook_events`); n != 0 {
		t.Fatalf("events with no endpoint = %d, want 0", n)
	}
	a := h.endpoint(t, "http://127.0.0.1:1/a", SubscriberCreated)
	b := h.endpoint(t, "http://127.0.0.1:1/b", SubscriberCreated, SubscriberErased)
	h.endpoint(t, "http://127.0.0.1:1/c", CampaignStarted)

	rollback := errors.New("rolled back")
	err := h.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := Emit(ctx, tx, SubscriberCreated, map[string]int{"id": 1}); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	if n := count(t, h.db, `SELECT COUNT(*) FROM webhook_events`); n != 0 {
		t.Errorf("events after a rollback = %d, want 0", n)
	}

	h.emit(t, SubscriberCreated, map[string]int{"id": 2})
	if n := count(t, h.db, `SELECT COUNT(*) FROM webhook_events WHERE type = ?`, SubscriberCreated); n != 1 {
		t.Errorf("events after a commit = %d, want 1", n)
	}
	var got []int64
	rows, err := h.db.Read.Query(`SELECT endpoint_id FROM webhook_attempts ORDER BY endpoint_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		got = append(got, id)
	}
	rows.Close()
	if diff := cmp.Diff([]int64{a.ID, b.ID}, got); diff != "" {
		t.Errorf("attempts go to the endpoints that want the type (-want +got):\n%s", diff)
	}
}

// A disabled endpoint gets no new events.
func TestEmitSkipsInactiveEndpoints(t *testing.T) {
	h := newHarness(t)
	e := h.endpoint(t, "http://127.0.0.1:1/a", DigestSent)
	off := false
	if _, err := h.store.Update(context.Background(), e.ID, Input{Active: &off}); err != nil {
		t.Fatal(err)
	}
	h.emit(t, DigestSent, nil)
	if n := count(t, h.db, `SELECT COUNT(*) FROM webhook_attempts`); n != 0 {
		t.Errorf("attempts for a disabled endpoint = %d, want 0", n)
	}
}
