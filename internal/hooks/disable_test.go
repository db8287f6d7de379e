package hooks

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Switching an endpoint off gives up its waiting events, and their log
// says so first, after the last attempt's error when there was one, so
// that the log does not read as retries stopped early.
func TestDisablingGivesUpWaitingEventsSayingWhy(t *testing.T) {
	h := newHarness(t)
	e := h.endpoint(t, "http://127.0.0.1:1/hook", SubscriberCreated)
	h.emit(t, SubscriberCreated, map[string]int{"id": 1})
	h.emit(t, SubscriberCreated, map[string]int{"id": 2})
	if _, err := h.db.Write.Exec(`UPDATE webhook_attempts SET attempts = 3, error = 'dial tcp 127.0.0.1:1: connection refused'
		WHERE event_id = (SELECT MIN(event_id) FROM webhook_attempts)`); err != nil {
		t.Fatal(err)
	}
	off := false
	if _, err := h.store.Update(context.Background(), e.ID, Input{Active: &off}); err != nil {
		t.Fatal(err)
	}
	rows, err := h.db.Read.Query(`SELECT state || ': ' || error FROM webhook_attempts ORDER BY event_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	want := []string{
		"failed: endpoint disabled before delivery; the last attempt: dial tcp 127.0.0.1:1: connection refused",
		"failed: endpoint disabled before delivery",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("attempts after the endpoint was switched off (-want +got):\n%s", diff)
	}
}
