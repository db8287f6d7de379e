package campaigns_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/queue"
)

// A delivery refused at send time (5xx) and then reported by a DSN as
// well is one bounce: one event, counted once, by the relay's source.
func TestSendTimeBounceAndDSNCountOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	reg := prometheus.NewRegistry()
	metrics := events.NewMetrics(reg)
	e.svc.Store.SetFeedbackMetrics(metrics)
	e.addReaders(t, 3, e.addList(t, "a"))
	cid := e.create(t, "a")
	rs := e.recipientsKicked(t, cid, 3)
	bad := rs[0]
	at := time.Now().UTC()
	// rs[2]'s mailbox is full: a soft bounce, counted apart.
	if err := e.svc.Record(ctx, cid, []queue.Result{
		{DeliveryID: bad.DeliveryID, SubscriberID: bad.SubscriberID, Status: queue.ResultBounced, Reply: "550 5.1.1 <r@example.com>: no such user", At: at},
		{DeliveryID: rs[1].DeliveryID, SubscriberID: rs[1].SubscriberID, Status: queue.ResultSent, At: at},
		{DeliveryID: rs[2].DeliveryID, SubscriberID: rs[2].SubscriberID, Status: queue.ResultBounced, Reply: "552 5.2.2 mailbox full", At: at},
	}); err != nil {
		t.Fatal(err)
	}
	// The same result recorded again (a task run twice) is no new bounce.
	if err := e.svc.Record(ctx, cid, []queue.Result{
		{DeliveryID: bad.DeliveryID, SubscriberID: bad.SubscriberID, Status: queue.ResultBounced, Reply: "550 5.1.1 <r@example.com>: no such user", At: at},
	}); err != nil {
		t.Fatal(err)
	}
	store := events.NewStore(e.db)
	store.SetMetrics(metrics)
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
	counted := map[string]float64{}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if v := m.GetCounter().GetValue(); v != 0 {
				labels := ""
				for _, l := range m.GetLabel() {
					labels += l.GetName() + "=" + l.GetValue() + " "
				}
				counted[labels] = v
			}
		}
	}
	if diff := cmp.Diff(map[string]float64{"kind=bounce_hard source=smtp ": 1, "kind=bounce_soft source=smtp ": 1}, counted); diff != "" {
		t.Errorf("bulletin_feedback_events_total (-want +got):\n%s", diff)
	}
}
