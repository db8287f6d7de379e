package campaigns_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/queue"
)

// A delivery refused at send time (5xx) and then reported by a DSN as
// well is one bounce: one event, counted once.
func TestSendTimeBounceAndDSNCountOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addReaders(t, 2, e.addList(t, "a"))
	cid := e.create(t, "a")
	var rs []queue.Recipient
	for _, p := range e.sendKicked(t, cid) {
		rs = append(rs, p.Recipients...)
	}
	if len(rs) != 2 {
		t.Fatalf("%d recipients, want 2", len(rs))
	}
	bad := rs[0]
	at := time.Now().UTC()
	if err := e.svc.Record(ctx, cid, []queue.Result{
		{DeliveryID: bad.DeliveryID, SubscriberID: bad.SubscriberID, Status: queue.ResultBounced, Reply: "550 5.1.1 <r@example.com>: no such user", At: at},
		{DeliveryID: rs[1].DeliveryID, SubscriberID: rs[1].SubscriberID, Status: queue.ResultSent, At: at},
	}); err != nil {
		t.Fatal(err)
	}
	store := events.NewStore(e.db)
	n, err := store.Record(ctx, []events.Event{{Kind: events.BounceHard, Source: events.SourceDSN, Status: "5.1.1",
		CampaignID: cid, SubscriberID: bad.SubscriberID}})
	if err != nil || n != 0 {
		t.Fatalf("DSN after the send-time bounce: Record = %d, %v; want 0 stored", n, err)
	}
	type row struct{ Source, Status string }
	var got []row
	rows, err := e.db.Read.Query(`SELECT source, status FROM events WHERE campaign_id = ? AND subscriber_id = ?`, cid, bad.SubscriberID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.Source, &r.Status); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	rows.Close()
	if diff := cmp.Diff([]row{{"smtp", "5.1.1"}}, got); diff != "" {
		t.Errorf("events of the bounced delivery (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(subscriberState{"confirmed", 1}, e.subscriberState(t, bad.SubscriberID)); diff != "" {
		t.Errorf("subscriber (-want +got):\n%s", diff)
	}
}
