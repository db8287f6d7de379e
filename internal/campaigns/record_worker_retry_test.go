package campaigns_test

import (
	"context"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// A worker's result to be retried (its message held back by a pause)
// leaves the delivery's claim in SQLite alone: a worker claims in Redis,
// so a claim there is serve's own sender's, taken since, and releasing it
// would let another run send that message again. Serve's own result to
// be retried releases its claim, so that a resume sends it at once.
func TestWorkerRetryKeepsServesClaim(t *testing.T) {
	e, id, kicked := kickedEnv(t, 2)
	ctx := context.Background()
	r := kicked[0].Recipients[0]
	retry := []queue.Result{{DeliveryID: r.DeliveryID, SubscriberID: r.SubscriberID, Status: queue.ResultRetry,
		Reply: "not sent: campaign stopped", At: time.Now().UTC()}}
	claim := func() (held bool) {
		t.Helper()
		if err := e.db.Read.QueryRow(`SELECT claimed_until IS NOT NULL FROM deliveries WHERE id = ?`, r.DeliveryID).Scan(&held); err != nil {
			t.Fatal(err)
		}
		return held
	}
	if !claim() {
		t.Fatal("the fan-out's claim is not there")
	}
	task, _, err := queue.NewRecordTask(&queue.RecordPayload{CampaignID: id, Results: retry})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.HandleRecord(ctx, task); err != nil {
		t.Fatal(err)
	}
	if !claim() {
		t.Error("a worker's retry released serve's claim")
	}
	if err := e.svc.Ledger().Record(ctx, id, retry); err != nil {
		t.Fatal(err)
	}
	if claim() {
		t.Error("serve's own retry kept its claim")
	}
}

// A campaign paused while its last messages were on the wire is sent
// once their results land: nothing is left to resume.
func TestPausedCampaignWhoseLastResultsLandIsSent(t *testing.T) {
	e, id, kicked := kickedEnv(t, 3)
	ctx := context.Background()
	if _, err := e.svc.Pause(ctx, id); err != nil {
		t.Fatal(err)
	}
	var sent []queue.Result
	for _, p := range kicked {
		for _, r := range p.Recipients {
			sent = append(sent, queue.Result{DeliveryID: r.DeliveryID, SubscriberID: r.SubscriberID, Status: queue.ResultSent, At: time.Now().UTC()})
		}
	}
	if err := e.svc.Ledger().Record(ctx, id, sent); err != nil {
		t.Fatal(err)
	}
	if c, _ := e.svc.Get(ctx, id); c.Status != "sent" || c.Stats.Sent != 3 {
		t.Errorf("campaign %s with %d sent, want sent with 3", c.Status, c.Stats.Sent)
	}
}
