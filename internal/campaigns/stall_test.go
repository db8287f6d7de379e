package campaigns_test

import (
	"context"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/mailer"
)

// dbStall is this package's database of the real Redis, free of the
// others' (queuetest's numbers, subscribers' 14, cmd/bulletin's 9 and
// internal/web's 15).
const dbStall = 10

// A campaign whose tasks a Redis lost (restarted without its data) sent
// nothing until the periodic reconcile, up to five minutes later, and its
// page said nothing. The watcher sees the loss at its next look, queues a
// run of the reconcilers shortly after (not at once: a worker writes its
// marks and results again first), and, the campaign sending nothing for
// two minutes, rebuilds its batches itself; sent, every reader has the
// mail once. Stalled says meanwhile why it waits and when it resumes.
func TestWatcherResumesACampaignRedisLost(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	list := e.addList(t, "news")
	e.addReaders(t, 20, list)
	id := e.create(t, "news")
	if _, err := e.svc.Send(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.fanout(t) // 3 batches of 7, 7 and 6, as tasks of the fake queue
	sends := e.q.take(queue.TypeMailSend)
	if len(sends) != 3 {
		t.Fatalf("%d mail:send tasks, want 3", len(sends))
	}
	tr := &countingSender{}
	sender := &mailer.Sender{Batch: tr, Ledger: e.svc.Ledger()}
	first := payload(t, sends[0])
	if err := sender.Send(ctx, &first); err != nil {
		t.Fatal(err)
	}

	// The other two batches wait in a real Redis, as serve queued them.
	q, err := queue.Open(queuetest.RedisURL(t, dbStall))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	e.svc.Queue, e.svc.Redis = q, q.Redis()
	if _, err := e.svc.Reconcile(ctx, q); err != nil {
		t.Fatal(err)
	}
	insp := asynq.NewInspectorFromRedisClient(q.Redis())
	if n := len(pendingSends(t, insp, q.Redis())); n != 2 {
		t.Fatalf("%d batches queued in Redis, want 2", n)
	}
	clock := time.Now()
	campaigns.SetClock(e.svc.Store, func() time.Time { return clock })
	e.svc.WatchOnce(ctx)

	// Redis restarts without its data; three minutes go by.
	if err := q.Redis().FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(3 * time.Minute)
	e.svc.WatchOnce(ctx)
	c, err := e.svc.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.svc.Stalled(ctx, c)
	if err != nil || st == nil {
		t.Fatalf("Stalled = %+v, %v; want the campaign stalled", st, err)
	}
	if st.QueueLost.IsZero() || !st.Requeued.IsZero() || st.Resume.IsZero() || st.Resume.After(clock.Add(time.Minute)) {
		t.Errorf("Stalled = %+v; want the queue lost, and its resumption within the minute", st)
	}
	if n := len(pendingSends(t, insp, q.Redis())); n != 0 {
		t.Errorf("%d batches rebuilt at once after the loss, want none before the grace", n)
	}
	if !reconcileScheduled(t, insp) {
		t.Error("no run of the reconcilers is scheduled after Redis lost its data")
	}

	clock = clock.Add(15 * time.Second) // past the grace
	e.svc.WatchOnce(ctx)
	rebuilt := pendingSends(t, insp, q.Redis())
	if len(rebuilt) != 2 {
		t.Fatalf("%d batches queued again by the watcher, want 2", len(rebuilt))
	}
	if st, _ := e.svc.Stalled(ctx, c); st == nil || st.Requeued.IsZero() {
		t.Errorf("Stalled = %+v after the watcher queued it again, want Requeued set", st)
	}
	e.svc.WatchOnce(ctx) // queues nothing twice
	if n := len(pendingSends(t, insp, q.Redis())); n != 2 {
		t.Errorf("%d batches queued after a second look, want still 2", n)
	}
	for _, info := range rebuilt {
		p := payload(t, asynq.NewTask(info.Type, info.Payload))
		if err := sender.Send(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	if len(tr.counts) != 20 {
		t.Errorf("%d readers mailed, want 20", len(tr.counts))
	}
	for to, n := range tr.counts {
		if n != 1 {
			t.Errorf("%s mailed %d times", to, n)
		}
	}
	if c, _ := e.svc.Get(ctx, id); c.Status != campaigns.StatusSent {
		t.Errorf("status %s, want sent", c.Status)
	}
}

// A `digest run` killed mid-way leaves the batch it was sending claimed
// for five minutes. The watcher does not take it over before the claim
// ends (that run could still be sending it), and Stalled says until
// when; once it ends, the watcher queues it again at its next look.
func TestWatcherWaitsForTheClaimsOfARunThatStopped(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	list := e.addList(t, "news")
	e.addReaders(t, 5, list)
	id := e.create(t, "news")
	if _, err := e.svc.Send(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.fanout(t)
	e.q.take(queue.TypeMailSend) // lost with the run that stopped
	clock := time.Now()
	held := clock.Add(4 * time.Minute)
	e.exec(t, `UPDATE deliveries SET claimed_until = ? WHERE campaign_id = ?`, held, id)
	q, err := queue.Open(queuetest.RedisURL(t, dbStall))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	e.svc.Queue, e.svc.Redis = q, q.Redis()
	campaigns.SetClock(e.svc.Store, func() time.Time { return clock })
	clock = clock.Add(3 * time.Minute / 2)
	e.svc.WatchOnce(ctx)
	insp := asynq.NewInspectorFromRedisClient(q.Redis())
	c, err := e.svc.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := e.svc.Stalled(ctx, c); st != nil {
		t.Errorf("Stalled = %+v after 90 s, want nil: under two minutes is no stall", st)
	}
	clock = clock.Add(time.Minute)
	e.svc.WatchOnce(ctx)
	st, err := e.svc.Stalled(ctx, c)
	if err != nil || st == nil || !st.HeldUntil.Equal(held.UTC()) || !st.Resume.After(held) {
		t.Fatalf("Stalled = %+v, %v; want it held until %s and resumed after", st, err, held.UTC())
	}
	if n := len(pendingSends(t, insp, q.Redis())); n != 0 {
		t.Errorf("%d batches queued while another run's claim holds them, want none", n)
	}
	clock = held.Add(time.Second)
	e.svc.WatchOnce(ctx)
	if n := len(pendingSends(t, insp, q.Redis())); n != 1 {
		t.Errorf("%d batches queued once the claim ran out, want 1", n)
	}
}

// pendingSends lists the mail:send tasks waiting in Redis. After a
// FLUSHDB asynq's client does not name its queues again (it remembers
// having done so), and its Inspector looks only in queues named: the
// send queue is named here first.
func pendingSends(t *testing.T, insp *asynq.Inspector, rdb redis.UniversalClient) []*asynq.TaskInfo {
	t.Helper()
	if err := rdb.SAdd(context.Background(), "asynq:queues", queue.QueueSend).Err(); err != nil {
		t.Fatal(err)
	}
	infos, err := insp.ListPendingTasks(queue.QueueSend)
	if err != nil {
		t.Fatal(err)
	}
	return infos
}

// reconcileScheduled reports whether a run of the reconcilers waits in
// Redis.
func reconcileScheduled(t *testing.T, insp *asynq.Inspector) bool {
	t.Helper()
	infos, _ := insp.ListScheduledTasks(queue.QueueDefault)
	for _, info := range infos {
		if info.Type == queue.TypeReconcile {
			return true
		}
	}
	return false
}

// The periodic reconcile may fall in the second after Redis came back
// without its data, before the watcher looked and before a send worker
// wrote its batch marks and unrecorded results again; a batch it rebuilt
// then could go twice. It sees the loss itself and leaves the work to
// the run queued for after the grace, which rebuilds it.
func TestPeriodicReconcileWaitsOutTheGraceAfterALoss(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.addReaders(t, 10, e.addList(t, "news"))
	id := e.create(t, "news")
	if _, err := e.svc.Send(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.fanout(t)
	if n := len(e.q.take(queue.TypeMailSend)); n != 2 {
		t.Fatalf("%d mail:send tasks, want 2", n)
	}
	q, err := queue.Open(queuetest.RedisURL(t, dbStall))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	e.svc.Queue, e.svc.Redis = q, q.Redis()
	clock := time.Now()
	campaigns.SetClock(e.svc.Store, func() time.Time { return clock })
	if _, err := e.svc.Reconcile(ctx, q); err != nil { // start-up: sets the mark
		t.Fatal(err)
	}
	insp := asynq.NewInspectorFromRedisClient(q.Redis())
	if n := len(pendingSends(t, insp, q.Redis())); n != 2 {
		t.Fatalf("%d batches queued at start-up, want 2", n)
	}

	if err := q.Redis().FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(time.Second)
	if n, err := e.svc.Reconcile(ctx, q); err != nil || n != 0 {
		t.Errorf("Reconcile a second after the loss queued %d tasks (%v), want none", n, err)
	}
	if n := len(pendingSends(t, insp, q.Redis())); n != 0 {
		t.Errorf("%d batches rebuilt inside the grace, want none", n)
	}
	if !reconcileScheduled(t, insp) {
		t.Error("no run of the reconcilers is scheduled after the loss")
	}

	clock = clock.Add(11 * time.Second) // the scheduled run, past the grace
	if _, err := e.svc.Reconcile(ctx, q); err != nil {
		t.Fatal(err)
	}
	if n := len(pendingSends(t, insp, q.Redis())); n != 2 {
		t.Errorf("%d batches rebuilt after the grace, want 2", n)
	}
}
