package subscribers

import (
	"context"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// midSendBox counts the mails to each address and runs during the first
// one, as a reconciler would run while the worker is still sending.
type midSendBox struct {
	sent   map[string]int
	during func()
}

func (b *midSendBox) Send(_ context.Context, _ string, to []string, _ []byte) error {
	if f := b.during; f != nil {
		b.during = nil
		f()
	}
	for _, a := range to {
		b.sent[a]++
	}
	return nil
}

// A confirmation task that runs (or is retried) more than reconcileAge
// after its row was flagged is still sending when the periodic reconciler
// runs: its claim is live, and the reader gets one mail. The reconciler
// used to age the claim by confirm_sent_at, take it for a dead worker's
// and queue the mail again.
func TestReconcileLeavesALateTasksClaimAlone(t *testing.T) {
	e := newSignupEnv(t)
	ctx := context.Background()
	signups := NewSignups(e.store, e.q, nil)
	if err := signups.Signup(ctx, &Signup{Email: "ann@example.com", Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	signups.Close()
	e.q.tasks = nil // the first attempt failed; its retry comes later
	// The task's retry runs 4 minutes after the signup (retries back off
	// up to 10 minutes, a busy queue delays too).
	flagged := sqlite.Now().Add(-4 * time.Minute)
	var id int64
	if err := e.store.db.Read.QueryRow(`SELECT id FROM subscribers WHERE email_key = 'ann@example.com'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.db.Write.Exec(`UPDATE subscribers SET confirm_sent_at = ?, confirm_queued = 1 WHERE id = ?`, flagged, id); err != nil {
		t.Fatal(err)
	}
	task, err := queue.NewConfirmTask([]queue.ConfirmItem{{ID: id, SentAt: flagged.UnixMicro()}})
	if err != nil {
		t.Fatal(err)
	}
	rq := &taskQueue{}
	box := &midSendBox{sent: map[string]int{}}
	box.during = func() {
		if _, err := e.store.Reconcile(ctx, rq); err != nil {
			t.Error(err)
		}
	}
	e.c.Transport = box
	if err := e.c.ProcessTask(ctx, task); err != nil {
		t.Fatal(err)
	}
	for _, tk := range rq.tasks { // the reconciler's task, on another worker
		if err := e.c.ProcessTask(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	if n := box.sent["ann@example.com"]; n != 1 {
		t.Errorf("ann@example.com got %d confirmation mails, want 1 (reconciler re-enqueued %d tasks while the claim was live)", n, len(rq.tasks))
	}
}
