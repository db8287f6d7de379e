package hooks

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// Once delivered, the events about someone erased go with their
// subscriber.erased event: they carry the address too. The erasure event
// stays while another event about the same person is pending, so that
// one is found once delivered; another reader's events stay.
func TestPruneTakesTheOtherEventsOfAnErasedPerson(t *testing.T) {
	h := newHarness(t)
	r := newReceiver(t, 200)
	h.endpoint(t, r.URL, SubscriberCreated, SubscriberUpdated, SubscriberErased)
	h.emit(t, SubscriberCreated, map[string]any{"id": 7, "email": "ann@example.com"})
	h.emit(t, SubscriberCreated, map[string]any{"id": 8, "email": "bob@example.com"})
	h.emit(t, SubscriberUpdated, map[string]any{"id": 7, "email": "ann@example.com"})
	h.emit(t, SubscriberErased, map[string]any{"id": 7, "email": "ann@example.com"})
	left := func() []string {
		t.Helper()
		out, err := sqlite.Column[string](h.db.Read.Query(`SELECT type || ' ' || json_extract(body, '$.data.email') FROM webhook_events ORDER BY id`))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	prune := func() {
		t.Helper()
		if err := h.d.Prune(context.Background()); err != nil {
			t.Fatal(err)
		}
	}

	prune() // everything pending: nothing goes
	if got := left(); len(got) != 4 {
		t.Fatalf("events before delivery = %q, want all 4", got)
	}
	h.round(t)
	// Ann's update failed and waits for a retry.
	if _, err := h.db.Write.Exec(`UPDATE webhook_attempts SET state = 'pending' WHERE event_id = (
		SELECT id FROM webhook_events WHERE type = 'subscriber.updated')`); err != nil {
		t.Fatal(err)
	}
	prune()
	if diff := cmp.Diff([]string{
		"subscriber.created bob@example.com",
		"subscriber.updated ann@example.com",
		"subscriber.erased ann@example.com",
	}, left()); diff != "" {
		t.Errorf("events with Ann's update pending (-want +got):\n%s", diff)
	}
	if _, err := h.db.Write.Exec(`UPDATE webhook_attempts SET state = 'delivered'`); err != nil {
		t.Fatal(err)
	}
	prune()
	if diff := cmp.Diff([]string{"subscriber.created bob@example.com"}, left()); diff != "" {
		t.Errorf("events once all delivered (-want +got):\n%s", diff)
	}
}
