package campaigns_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// Record counts each delivery it marks sent once, in the hour it was sent,
// by both of its paths (a plain 250 marked with others, and a result with
// a reply of its own); a result recorded twice counts nothing more. The
// dashboard's count reads it from the hour since falls in.
func TestRecordCountsSentByTheHour(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addReaders(t, 6, e.addList(t, "a"))
	id := e.create(t, "a")
	rs := e.recipientsKicked(t, id, 6)
	// The refusal's event is stored at the store's clock, later than now.
	now := time.Now().UTC()
	earlier := now.Add(-time.Hour)
	result := func(i int, status, reply string, at time.Time) queue.Result {
		return queue.Result{DeliveryID: rs[i].DeliveryID, SubscriberID: rs[i].SubscriberID, Status: status, Reply: reply, At: at}
	}
	results := []queue.Result{
		result(0, queue.ResultSent, "", now),
		result(1, queue.ResultSent, "", now),
		result(2, queue.ResultSent, "", earlier),
		result(3, queue.ResultSent, "250 2.0.0 queued as 4F2A", now),
		result(4, queue.ResultBounced, "550 5.1.1 mailbox unknown", now),
		result(5, queue.ResultRetry, "451 4.7.1 greylisted", now),
	}
	for range 2 {
		if err := e.svc.Record(ctx, id, results); err != nil {
			t.Fatal(err)
		}
	}
	got, err := sqlite.Column[string](e.db.Read.Query(`SELECT hour || ' ' || sent FROM sent_hours ORDER BY hour`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{fmt.Sprint(earlier.Unix()/3600, " 1"), fmt.Sprint(now.Unix()/3600, " 3")}; !slices.Equal(got, want) {
		t.Errorf("sent_hours = %q, want %q", got, want)
	}

	// From this hour: the 3 sent in it and the refusal at send time.
	h, err := events.NewStore(e.db).Health(ctx, now.Truncate(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if h.Sent != 4 {
		t.Errorf("Health(this hour).Sent = %d, want 4 (3 sent, 1 refused)", h.Sent)
	}
	if h, err = events.NewStore(e.db).Health(ctx, earlier.Truncate(time.Hour)); err != nil || h.Sent != 5 {
		t.Errorf("Health(an hour before).Sent = %d, %v; want 5", h.Sent, err)
	}
}
