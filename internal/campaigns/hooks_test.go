package campaigns_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// hookTypes returns the types of the webhook events in db's outbox.
func hookTypes(t *testing.T, db *sqlite.DB) []string {
	t.Helper()
	rows, err := db.Read.Query(`SELECT type FROM webhook_events ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

// A campaign emits campaign.started once when it starts (sending twice
// is a conflict and emits nothing) and campaign.finished when its last
// delivery is recorded; a reader bounced at send time emits
// subscriber.bounced.
func TestCampaignEmitsStartedAndFinished(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u, evs := "http://127.0.0.1:9/hook", hooks.Types
	if _, err := hooks.NewStore(e.db, hooks.Guard{AllowPrivate: true}).Create(ctx, hooks.Input{URL: &u, Events: &evs}); err != nil {
		t.Fatal(err)
	}
	e.addReaders(t, 2, e.addList(t, "a"))
	cid := e.create(t, "a")
	rs := e.recipientsKicked(t, cid, 2)
	if _, err := e.svc.Send(ctx, cid); err == nil {
		t.Fatal("sending twice: no error")
	}
	if diff := cmp.Diff([]string{hooks.CampaignStarted}, hookTypes(t, e.db)); diff != "" {
		t.Errorf("after the start (-want +got):\n%s", diff)
	}
	// The first reader's hard bounce is their last allowed: they become
	// bounced, which is subscriber.bounced.
	e.exec(t, `UPDATE subscribers SET bounce_count = ? WHERE id = ?`, campaigns.HardBounces-1, rs[0].SubscriberID)
	var results []queue.Result
	for i, r := range rs {
		res := queue.Result{DeliveryID: r.DeliveryID, SubscriberID: r.SubscriberID, Status: queue.ResultSent, At: time.Now().UTC()}
		if i == 0 {
			res.Status, res.Reply = queue.ResultBounced, "550 5.1.1 no such user"
		}
		results = append(results, res)
	}
	if err := e.svc.Record(ctx, cid, results); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Record(ctx, cid, results); err != nil { // a redelivered task
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{hooks.CampaignStarted, hooks.SubscriberBounced, hooks.CampaignFinished}, hookTypes(t, e.db)); diff != "" {
		t.Errorf("after the last delivery (-want +got):\n%s", diff)
	}
}
