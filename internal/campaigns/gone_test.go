package campaigns_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// A batch carries when its recipients were read (Since), so that a worker
// skips those who leave later. The fan-out stamps its batches; a batch
// rebuilt from the rows (a lost task, a resumed campaign) first has the
// deliveries of subscribers who left skipped in SQLite, then holds only
// the others, stamped anew.
func TestBatchesCarrySinceAndRebuiltOnesLeaveGoneOut(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.addList(t, "a")
	subs := e.addReaders(t, 10, a)
	id := e.create(t, "a")
	start := time.Now().Truncate(time.Microsecond)
	if _, err := e.svc.Send(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.fanout(t)
	for _, task := range e.q.take(queue.TypeMailSend) { // Redis loses them
		if p := payload(t, task); p.Since.Before(start) || p.Since.After(time.Now()) {
			t.Errorf("batch %d read at %s, want after %s", p.Batch, p.Since, start)
		}
	}
	e.exec(t, `UPDATE subscribers SET status = 'unsubscribed' WHERE id = ?`, subs[2])
	e.exec(t, `UPDATE subscribers SET status = 'bounced' WHERE id = ?`, subs[7])

	before := time.Now().Truncate(time.Microsecond)
	if _, err := e.svc.Reconcile(ctx, e.q); err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, task := range e.q.take(queue.TypeMailSend) {
		p := payload(t, task)
		if p.Since.Before(before) {
			t.Errorf("rebuilt batch %d read at %s, want after %s", p.Batch, p.Since, before)
		}
		for _, r := range p.Recipients {
			got = append(got, r.SubscriberID)
		}
	}
	want := append(append([]int64{}, subs[:2]...), subs[3:7]...)
	want = append(want, subs[8:]...)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rebuilt recipients (-want +got):\n%s", diff)
	}
	st := e.deliveryStatuses(t, id)
	if st["r02@example.com"] != "skipped" || st["r07@example.com"] != "skipped" || st["r03@example.com"] != "queued" {
		t.Errorf("deliveries after the rebuild: %v", st)
	}
}
