package mailer_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/logtest"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	tasks "github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/mailer"
)

// A batch's hold is taken when missing, renewed by the run that holds
// it, refused to another, and let go of only by its own run.
func TestRedisLedgerHoldsABatchForOneRun(t *testing.T) {
	for name, open := range ledgerBackends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			q := open(t)
			l := &mailer.RedisLedger{Redis: q.Redis(), Enqueuer: q}
			hold := func(run string) bool {
				t.Helper()
				ok, err := l.HoldBatch(ctx, 7, 500, run)
				if err != nil {
					t.Fatal(err)
				}
				return ok
			}
			took := hold("a")
			renewed := hold("a")
			if !took || !renewed || hold("b") {
				t.Fatalf("a took the hold: %v, renewed it: %v; want both, and b refused", took, renewed)
			}
			if ttl := q.Redis().PTTL(ctx, tasks.RunKey(7, 500)).Val(); ttl <= 0 || ttl > tasks.RunTTL {
				t.Errorf("the hold lasts %v, want up to %v", ttl, tasks.RunTTL)
			}
			if ok, _ := l.HoldBatch(ctx, 7, 0, "b"); !ok {
				t.Error("another batch of the campaign is held too")
			}
			// Redis loses its data: the run that held it takes it again.
			q.Redis().Del(ctx, tasks.RunKey(7, 500))
			if !hold("a") || hold("b") {
				t.Fatal("after the hold was lost, want a to take it again and b refused")
			}
			if err := l.LetGoBatch(ctx, 7, 500, "b"); err != nil {
				t.Fatal(err)
			}
			if hold("b") {
				t.Fatal("b let go of a's hold")
			}
			if err := l.LetGoBatch(ctx, 7, 500, "a"); err != nil {
				t.Fatal(err)
			}
			if !hold("b") {
				t.Fatal("once a let go, want b to take the batch")
			}
		})
	}
}

// realQueues opens n queues (one a process) on this package's database
// of the real redis-server CI starts, emptied, or skips t without one:
// the tests of Redis losing its data run on a Redis that loses it.
func realQueues(t *testing.T, n int) []*tasks.Queue {
	t.Helper()
	url := queuetest.RedisURL(t, queuetest.DBMailer)
	qs := make([]*tasks.Queue, n)
	for i := range qs {
		q, err := tasks.Open(url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { q.Close() })
		qs[i] = q
	}
	return qs
}

// startWorker runs a stateless worker as cmd/bulletin's does: an asynq
// server with Bulletin's settings running s on the send queue.
func startWorker(t *testing.T, q *tasks.Queue, s *mailer.Sender, concurrency int) {
	t.Helper()
	mux := asynq.NewServeMux()
	mux.Handle(tasks.TypeMailSend, s)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := asynq.NewServerFromRedisClient(q.Redis(), tasks.ServerConfig(map[string]int{tasks.QueueSend: 1}, concurrency, log))
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Drain(); srv.Shutdown() })
}

// A primary records the final results workers queue, as serve does in
// SQLite, which a Redis restart does not touch.
type primary struct {
	mu    sync.Mutex
	final map[int64]string
}

func startPrimary(t *testing.T, q *tasks.Queue) *primary {
	t.Helper()
	p := &primary{final: map[int64]string{}}
	mux := asynq.NewServeMux()
	mux.HandleFunc(tasks.TypeDeliveryRecord, func(ctx context.Context, task *asynq.Task) error {
		var rp tasks.RecordPayload
		if err := json.Unmarshal(task.Payload(), &rp); err != nil {
			return err
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, r := range rp.Results {
			if r.Status != tasks.ResultRetry {
				p.final[r.DeliveryID] = r.Status
			}
		}
		return nil
	})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := asynq.NewServerFromRedisClient(q.Redis(), tasks.ServerConfig(map[string]int{tasks.QueueResults: 1}, 1, log))
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	return p
}

// queued returns p less the recipients the primary has a final result
// of: the batch as the reconciler rebuilds it from the rows.
func (pr *primary) queued(p *tasks.SendPayload) *tasks.SendPayload {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	out := *p
	out.Recipients, out.Since = nil, time.Now()
	for _, r := range p.Recipients {
		if _, ok := pr.final[r.DeliveryID]; !ok {
			out.Recipients = append(out.Recipients, r)
		}
	}
	return &out
}

func (pr *primary) done() int {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return len(pr.final)
}

// campaign7 is campaign 7 in batches of per readers: reader i is delivery
// 100+i of batch (i-1)/per*per.
func campaign7(batches, per int) []*tasks.SendPayload {
	all := sendPayload(batches*per, time.Now())
	var ps []*tasks.SendPayload
	for b := range batches {
		p := *all
		p.Batch, p.Recipients = int64(b*per), all.Recipients[b*per:(b+1)*per]
		ps = append(ps, &p)
	}
	return ps
}

func enqueueSend(t *testing.T, q *tasks.Queue, p *tasks.SendPayload) {
	t.Helper()
	task, opts, err := tasks.NewSendTask(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.EnqueueContext(context.Background(), task, opts...); err != nil {
		t.Fatalf("enqueue batch %d: %v", p.Batch, err)
	}
}

// Two workers send a campaign; Redis restarts without its data in the
// middle (FLUSHDB of the test's database: a FLUSHALL would empty the
// other packages' databases of the same redis-server), which loses the
// tasks the workers are running and what their ledger remembers, and
// the reconciler rebuilds a task for every batch with deliveries left,
// at once, as serve's start-up pass does. The workers used to go on with
// the batches they held while the rebuilt tasks ran the same batches from
// their start on the free slots: a second copy of whole batches, some
// after the primary had every result. Now the run that holds a batch
// takes its hold again as soon as Redis is back, a rebuilt task finds it
// held and waits, and runs once the first run is done, finding what it
// sent done. Each reader gets the campaign once, but for at most the
// messages whose results were on their way to the primary at the flush
// (their delivery:record tasks were lost with it, and the worker's done
// hash too): those written in the primary's last poll, a few at this
// rate; the bound below is a second's worth.
func TestRedisRestartMidBatchSendsNothingTwice(t *testing.T) {
	ctx := context.Background()
	qs := realQueues(t, 3) // the primary's, and two workers'
	srv := smtptest.Start(t)
	const batches, per, rate = 4, 60, 40
	pr := startPrimary(t, qs[0])
	for _, q := range qs[1:] {
		s := &mailer.Sender{Batch: mailtest.SlowSMTPTo(t, srv.URL(), rate), Ledger: &mailer.RedisLedger{Redis: q.Redis(), Enqueuer: q},
			Chunk: 10, RecordEvery: 10 * time.Millisecond, StopEvery: 50 * time.Millisecond}
		// A slot free beside each batch it runs, as a worker has (4
		// tasks at once, and more with more connections).
		startWorker(t, q, s, batches)
	}
	ps := campaign7(batches, per)
	for _, p := range ps {
		enqueueSend(t, qs[0], p)
	}
	waitFor(t, "a quarter of the campaign to go out", func() bool { return srv.Total() >= batches*per/4 })

	if err := qs[0].Redis().FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	flushedAt := srv.Total()
	time.Sleep(300 * time.Millisecond) // serve restarts and reconciles
	for _, p := range ps {
		if rest := pr.queued(p); len(rest.Recipients) > 0 {
			enqueueSend(t, qs[0], rest)
		}
	}
	waitFor(t, "the primary to have every result", func() bool { return pr.done() == batches*per })
	sentAll := srv.Total()
	time.Sleep(time.Second)
	if after := srv.Total() - sentAll; after > 0 {
		t.Errorf("%d messages went out after the primary had every result", after)
	}

	const bound = rate // a second's worth of results on their way to the primary
	extra := 0
	for _, p := range ps {
		for _, r := range p.Recipients {
			switch n := srv.Count(r.Email); {
			case n == 0:
				t.Errorf("%s got no copy", r.Email)
			case n > 1:
				extra += n - 1
			}
		}
	}
	t.Logf("%d messages before the flush, %d in all for %d readers, %d second copies", flushedAt, srv.Total(), batches*per, extra)
	if extra > bound {
		t.Errorf("%d second copies after Redis lost its data, want at most %d", extra, bound)
	}
}

// waitFor waits up to a minute for cond, named what.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
	}
}

// A batch whose hold another run has sends nothing: its task hands it
// back (ErrHandedBack, which asynq retries without counting a failure),
// logged once however often it comes back, and runs it once the other
// run has let go.
func TestHeldBatchWaitsWithoutUsingItsRetries(t *testing.T) {
	ctx := context.Background()
	qs := realQueues(t, 1)
	q := qs[0]
	srv := smtptest.Start(t)
	var logged logtest.Buffer
	s := &mailer.Sender{Batch: smtpTo(t, srv), Ledger: &mailer.RedisLedger{Redis: q.Redis(), Enqueuer: q},
		Log: slog.New(slog.NewTextHandler(&logged, nil))}
	p := campaign7(1, 20)[0]
	if err := q.Redis().Set(ctx, tasks.RunKey(p.CampaignID, p.Batch), "another run", tasks.RunTTL).Err(); err != nil {
		t.Fatal(err)
	}

	// Run as asynq would, twice: nothing goes out, and the error is no
	// failure of the task's.
	task, _, err := tasks.NewSendTask(p)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		err := s.ProcessTask(ctx, task)
		if !errors.Is(err, mailer.ErrBatchHeld) || !errors.Is(err, tasks.ErrHandedBack) {
			t.Fatalf("a held batch returned %v, want ErrBatchHeld and ErrHandedBack", err)
		}
	}
	if n := strings.Count(logged.String(), "another run is sending this batch"); n != 1 {
		t.Errorf("logged %d times, want once:\n%s", n, logged.String())
	}

	// Through the queue: the task is retried, and not as a failure.
	startWorker(t, q, s, 2)
	enqueueSend(t, q, p)
	ins := asynq.NewInspectorFromRedisClient(q.Redis())
	id := fmt.Sprintf("send:%d:%d", p.CampaignID, p.Batch)
	var ti *asynq.TaskInfo
	waitFor(t, "the held task to wait for its retry", func() bool {
		ti, err = ins.GetTaskInfo(tasks.QueueSend, id)
		return err == nil && ti.State == asynq.TaskStateRetry
	})
	if ti.Retried != 0 || !strings.Contains(ti.LastErr, mailer.ErrBatchHeld.Error()) || srv.Total() != 0 {
		t.Fatalf("held task: retried %d, last error %q, %d messages; want 0 retries used, ErrBatchHeld, none sent", ti.Retried, ti.LastErr, srv.Total())
	}

	// The other run ends: the next try sends the batch, once.
	if err := q.Redis().Del(ctx, tasks.RunKey(p.CampaignID, p.Batch)).Err(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the batch to go out once the other run let go", func() bool { return srv.Total() == len(p.Recipients) })
	// The run lets go as it ends, not RunTTL later.
	waitFor(t, "the run that sent the batch to let go of its hold", func() bool {
		n, err := q.Redis().Exists(ctx, tasks.RunKey(p.CampaignID, p.Batch)).Result()
		return err == nil && n == 0
	})
	eachOnce(t, srv, p)
}
