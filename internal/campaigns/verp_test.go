package campaigns_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/bounces"
	"github.com/bulletinhq/bulletin/internal/queue"
)

// With a bounce domain, each recipient of a batch, from the fan-out and
// from a batch the reconciler rebuilds, carries its own return path,
// which names its campaign and subscriber; without one, none does.
func TestFanoutGivesEachDeliveryItsReturnPath(t *testing.T) {
	e := newEnv(t)
	verp := bounces.NewVERP([]byte("0123456789abcdef0123456789abcdef"), "bounces.news.example")
	e.svc.VERP = verp
	a := e.addList(t, "a")
	subs := e.addReaders(t, 3, a)
	id := e.create(t, "a")
	if _, err := e.svc.Send(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	e.fanout(t)
	sends := e.q.take(queue.TypeMailSend)
	if len(sends) != 1 {
		t.Fatalf("%d send tasks, want 1", len(sends))
	}
	check := func(p queue.SendPayload) {
		t.Helper()
		var got, want []bounces.Delivery
		for i, r := range p.Recipients {
			d, err := verp.Parse(r.ReturnPath)
			if err != nil {
				t.Errorf("recipient %s: return path %q: %v", r.Email, r.ReturnPath, err)
			}
			got = append(got, d)
			want = append(want, bounces.Delivery{CampaignID: id, SubscriberID: subs[i]})
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("deliveries named by the return paths (-want +got):\n%s", diff)
		}
	}
	check(payload(t, sends[0]))

	if _, err := e.svc.Reconcile(context.Background(), e.q); err != nil {
		t.Fatal(err)
	}
	rebuilt := e.q.take(queue.TypeMailSend)
	if len(rebuilt) != 1 {
		t.Fatalf("%d rebuilt send tasks, want 1", len(rebuilt))
	}
	check(payload(t, rebuilt[0]))

	e.svc.VERP = nil
	if _, err := e.svc.Send(context.Background(), e.create(t, "a")); err != nil {
		t.Fatal(err)
	}
	e.fanout(t)
	for _, task := range e.q.take(queue.TypeMailSend) {
		for _, r := range payload(t, task).Recipients {
			if r.ReturnPath != "" {
				t.Errorf("return path %q without a bounce domain", r.ReturnPath)
			}
		}
	}
}
