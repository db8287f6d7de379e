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
	e.addReaders(t, 3, e.addList(t, "a"))
	id := e.create(t, "a")
	rs := e.recipientsKicked(t, id, 3)
	waiting := func() string { return waitingOn(t, e, id) }
	if got := waiting(); got != "" {
		t.Fatalf("before any try the campaign waits on %q", got)
	}
	at := time.Now().UTC()
	record := func(i int, status, reply string, at time.Time) { recordOne(t, e, id, rs[i], status, reply, at) }
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

// Once the mail server takes mail again, the campaign no longer says it
// waits on it: the messages it refused wait only for their retry. The
// note stayed, with sending going on, until the campaign ended.
func TestStatsStopWaitingOnceTheServerTakesMailAgain(t *testing.T) {
	e := newEnv(t)
	e.addReaders(t, 4, e.addList(t, "a"))
	id := e.create(t, "a")
	rs := e.recipientsKicked(t, id, 4)
	record := func(i int, status, reply string, at time.Time) { recordOne(t, e, id, rs[i], status, reply, at) }
	waiting := func() string { return waitingOn(t, e, id) }
	at := time.Now().UTC()
	record(2, queue.ResultSent, "", at.Add(-time.Minute)) // before the outage
	record(0, queue.ResultRetry, "dial tcp 127.0.0.1:2525: connect: connection refused", at)
	if got := waiting(); got != "dial tcp 127.0.0.1:2525: connect: connection refused" {
		t.Fatalf("during the outage the campaign waits on %q", got)
	}
	time.Sleep(10 * time.Millisecond) // the next write's time is after the refusal's
	record(3, queue.ResultSent, "", time.Now().UTC())
	if got := waiting(); got != "" {
		t.Errorf("the server took a message again, yet the campaign waits on %q", got)
	}
}

// waitingOn is what campaign id's stats say its queued messages wait on,
// "" for nothing.
func waitingOn(t *testing.T, e *env, id int64) string {
	t.Helper()
	st, err := e.svc.DigestStats(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if st.Waiting == nil {
		return ""
	}
	return st.Waiting.Reply
}

// recordOne records one result of campaign id, to r, as a sender does.
func recordOne(t *testing.T, e *env, id int64, r queue.Recipient, status, reply string, at time.Time) {
	t.Helper()
	res := queue.Result{DeliveryID: r.DeliveryID, SubscriberID: r.SubscriberID, Status: status, Reply: reply, At: at}
	if err := e.svc.Record(context.Background(), id, []queue.Result{res}); err != nil {
		t.Fatal(err)
	}
}

// A message a send's own cancellation held back ("smtp: not sent: context
// canceled", as a worker whose Redis restarted empty records it) is no
// answer of the mail server: the campaign's page said in red that it
// waited on the mail server while the server was fine (a tester's).
// One the pool could not even connect for is the server's trouble.
func TestStatsDoNotBlameTheServerForACancelledSend(t *testing.T) {
	e := newEnv(t)
	e.addReaders(t, 2, e.addList(t, "a"))
	id := e.create(t, "a")
	rs := e.recipientsKicked(t, id, 2)
	at := time.Now().UTC()
	recordOne(t, e, id, rs[0], queue.ResultRetry, "smtp: not sent: context canceled", at)
	if got := waitingOn(t, e, id); got != "" {
		t.Errorf("after a cancelled send the campaign waits on %q", got)
	}
	recordOne(t, e, id, rs[1], queue.ResultRetry, "smtp: not sent: smtp dial: dial tcp 127.0.0.1:2525: connect: connection refused", at.Add(time.Second))
	if got := waitingOn(t, e, id); got == "" {
		t.Error("a server that cannot be reached is not said to be waited on")
	}
}
