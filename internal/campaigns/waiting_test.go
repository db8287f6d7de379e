package campaigns_test

import (
	"context"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// While messages wait, the campaign's stats say on what: the mail
// server's last temporary answer among the next ones to go. A message
// the process's own shutdown held back is no answer of the server, and
// nothing waits once none is queued.
func TestStatsSayWhatQueuedMessagesWaitOn(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addReaders(t, 3, e.addList(t, "a"))
	id := e.create(t, "a")
	rs := e.recipientsKicked(t, id, 3)
	waiting := func() string {
		t.Helper()
		st, err := e.svc.DigestStats(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if st.Waiting == nil {
			return ""
		}
		return st.Waiting.Reply
	}
	if got := waiting(); got != "" {
		t.Fatalf("before any try the campaign waits on %q", got)
	}
	at := time.Now().UTC()
	record := func(i int, status, reply string, at time.Time) {
		t.Helper()
		r := queue.Result{DeliveryID: rs[i].DeliveryID, SubscriberID: rs[i].SubscriberID, Status: status, Reply: reply, At: at}
		if err := e.svc.Record(ctx, id, []queue.Result{r}); err != nil {
			t.Fatal(err)
		}
	}
	record(0, queue.ResultRetry, "dial tcp 127.0.0.1:2525: connect: connection refused", at)
	record(1, queue.ResultRetry, "451 4.7.1 greylisted", at.Add(time.Second))
	record(2, queue.ResultRetry, "not sent: context canceled", at.Add(2*time.Second))
	if got := waiting(); got != "451 4.7.1 greylisted" {
		t.Errorf("waits on %q, want the server's latest answer", got)
	}
	for i := range 3 {
		record(i, queue.ResultSent, "", at.Add(3*time.Second))
	}
	if got := waiting(); got != "" {
		t.Errorf("all sent, yet the campaign waits on %q", got)
	}
}
