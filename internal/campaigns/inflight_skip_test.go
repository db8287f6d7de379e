package campaigns_test

import (
	"context"
	"sync"
	"testing"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/mailer"
)

// hookSender runs hook once, when the first messages are on the wire,
// then accepts every message and counts them per recipient.
type hookSender struct {
	countingSender
	once sync.Once
	hook func()
}

func (h *hookSender) SendBatch(ctx context.Context, msgs []mailer.Outgoing) []error {
	h.once.Do(h.hook)
	return h.countingSender.SendBatch(ctx, msgs)
}

// A campaign cancelled while serve's sender has its messages on the wire:
// the relay accepts them, so they went out, and the campaign's stats say
// so. Cancel marks every queued delivery skipped, claimed or not; the
// sent results that follow used to find no queued row and be dropped.
func TestCancelKeepsResultsOfMessagesInFlight(t *testing.T) {
	e, id, kicked := kickedEnv(t, 5)
	ctx := context.Background()
	bs := &hookSender{hook: func() {
		if _, err := e.svc.Cancel(ctx, id); err != nil {
			t.Error(err)
		}
	}}
	s := &mailer.Sender{Batch: bs, Ledger: e.svc.Ledger()}
	for _, p := range kicked {
		if err := s.Send(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	mailed := len(bs.counts)
	c, err := e.svc.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != campaigns.StatusCancelled {
		t.Fatalf("status %s", c.Status)
	}
	if c.Stats.Sent != mailed {
		t.Errorf("%d messages went out, but the cancelled campaign counts %+v (sent results of claimed deliveries dropped; statuses %v)",
			mailed, c.Stats, e.deliveryStatuses(t, id))
	}
}

// A mail:send task of a batch serve's own sender holds (queued again by
// the periodic reconcile, or by a resume) leaves alone the delivery of a
// reader who left while their message is on the wire: it is the other
// run's. Claim's skip of readers gone used to ignore claimed_until,
// unlike skipAllGoneTx and digestPage, and the delivery of a message that
// went out ended skipped.
func TestClaimLeavesAloneDeliveriesAnotherRunHolds(t *testing.T) {
	e, id, kicked := kickedEnv(t, 3)
	ctx := context.Background()
	p := kicked[0]
	leaver := p.Recipients[0]
	bs := &hookSender{hook: func() {
		// Meanwhile: the reader unsubscribes, and a reconcile queues the
		// batch's task, which serve's worker runs.
		e.exec(t, `UPDATE subscriptions SET status = 'unsubscribed' WHERE subscriber_id = ?`, leaver.SubscriberID)
		if _, err := e.svc.Reconcile(ctx, e.q); err != nil {
			t.Error(err)
		}
		if n := e.sendAll(t, &countingSender{}, 1); n != 0 {
			t.Errorf("%d task runs failed", n)
		}
	}}
	s := &mailer.Sender{Batch: bs, Ledger: e.svc.Ledger()}
	if err := s.Send(ctx, p); err != nil {
		t.Fatal(err)
	}
	if bs.counts[leaver.Email] != 1 {
		t.Fatalf("setup: %s got %d messages", leaver.Email, bs.counts[leaver.Email])
	}
	if got := e.deliveryStatuses(t, id)[leaver.Email]; got != "sent" {
		c, _ := e.svc.Get(ctx, id)
		t.Errorf("the message to %s went out, but its delivery is %q (stats %+v)", leaver.Email, got, c.Stats)
	}
}

// When a claim skips the last queued deliveries of a campaign (their
// readers left after the fan-out), the campaign ends there: no result
// follows, and it used to stay "sending" with nothing queued until a
// reconcile ran.
func TestClaimSkippingTheLastDeliveriesEndsTheCampaign(t *testing.T) {
	e, a, id := sendingTo(t, 2)
	ctx := context.Background()
	e.exec(t, `UPDATE subscriptions SET status = 'unsubscribed' WHERE list_id = ?`, a)
	if n := e.sendAll(t, &countingSender{}, 1); n != 0 {
		t.Fatalf("%d runs failed", n)
	}
	c, err := e.svc.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Stats.Queued != 0 || c.Stats.Skipped != 2 {
		t.Fatalf("setup: stats %+v", c.Stats)
	}
	if c.Status != campaigns.StatusSent {
		t.Errorf("every delivery is done (%+v) but the campaign is %s", c.Stats, c.Status)
	}
}

// With stateless workers (serve --no-send), a worker sends a delivery and
// queues its result for the primary. Before the primary records it, the
// reader unsubscribes and the periodic reconcile runs: skipAllGoneTx skips
// every queued, unclaimed delivery of a reader gone, though its message
// went out (workers claim in Redis, not in SQLite). The sent result then
// marks it sent; it used to be dropped, the row left skipped.
func TestResultOfAWorkerOutlivesTheReconcilesSkip(t *testing.T) {
	e, _, id := sendingTo(t, 3)
	ctx := context.Background()
	rdb := queuetest.Embedded(t).Redis()
	bs := &countingSender{}
	w := &mailer.Sender{Batch: bs, Ledger: &mailer.RedisLedger{Redis: rdb, Enqueuer: e.q}}
	for _, task := range e.q.take(queue.TypeMailSend) {
		if err := w.ProcessTask(ctx, task); err != nil {
			t.Fatal(err)
		}
	}
	if len(bs.counts) != 3 {
		t.Fatalf("setup: worker sent %v", bs.counts)
	}
	records := e.q.take(queue.TypeDeliveryRecord)
	// The first reader unsubscribes after getting the mail; a reconcile
	// runs before the primary has recorded the results.
	e.exec(t, `UPDATE subscriptions SET status = 'unsubscribed' WHERE subscriber_id = (SELECT MIN(id) FROM subscribers)`)
	if _, err := e.svc.Reconcile(ctx, e.q); err != nil {
		t.Fatal(err)
	}
	for _, task := range records {
		if err := e.svc.HandleRecord(ctx, task); err != nil {
			t.Fatal(err)
		}
	}
	c, err := e.svc.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Stats.Sent != 3 {
		t.Errorf("the worker sent 3 messages; the campaign (%s) counts %+v: %v", c.Status, c.Stats, e.deliveryStatuses(t, id))
	}
}

// sendingTo starts a campaign to n readers of a new list and runs its
// fan-out, its mail:send tasks left queued.
func sendingTo(t *testing.T, n int) (e *env, list, id int64) {
	t.Helper()
	e = newEnv(t)
	list = e.addList(t, "a")
	e.addReaders(t, n, list)
	id = e.create(t, "a")
	if _, err := e.svc.Send(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	e.fanout(t)
	return e, list, id
}
