package campaigns_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// A welcome mail the relay refuses for good (550 5.1.1) is the reader's
// hard bounce at send time, as a campaign's is: stored as an event and
// counted (a confirmed reader is bounced at the third), once however
// often the task runs, and not retried.
func TestWelcomeRefusedForGoodIsABounce(t *testing.T) {
	e, store := newWelcomeEnv(t)
	ctx := context.Background()
	srv := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{RejectDomain: "example.org"}))
	e.svc.Transport = mailtest.SMTPTo(t, srv.URL())
	e.exec(t, `UPDATE lists SET welcome = 'Welcome.' WHERE slug = 'quay'`)
	e.exec(t, `UPDATE subscribers SET status = 'pending' WHERE id = ?`, e.reader)
	e.exec(t, `UPDATE subscriptions SET status = 'pending' WHERE subscriber_id = ?`, e.reader)
	if _, err := store.Confirm(ctx, e.reader); err != nil {
		t.Fatal(err)
	}
	tasks := e.q.take(queue.TypeWelcomeSend)
	if len(tasks) != 1 {
		t.Fatalf("%d welcome tasks, want 1", len(tasks))
	}
	for range 2 {
		if err := e.svc.HandleWelcome(ctx, tasks[0]); err != nil {
			t.Errorf("the refused welcome failed its task, to be retried: %v", err)
		}
	}
	type row struct {
		Status       string
		Bounces      int
		Event        string
		Unsent       int
		Suppressions int
	}
	var got row
	err := e.db.Read.QueryRow(`SELECT status, bounce_count,
		ifnull((SELECT group_concat(kind || ' ' || source || ' ' || status) FROM events WHERE subscriber_id = subscribers.id), ''),
		(SELECT count(*) FROM welcomes WHERE sent_at IS NULL), (SELECT count(*) FROM suppressions)
		FROM subscribers WHERE id = ?`, e.reader).Scan(&got.Status, &got.Bounces, &got.Event, &got.Unsent, &got.Suppressions)
	if err != nil {
		t.Fatal(err)
	}
	want := row{Status: "confirmed", Bounces: 1, Event: "bounce_hard smtp 5.1.1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after the refused welcome (-want +got):\n%s", diff)
	}
}
