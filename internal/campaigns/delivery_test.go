package campaigns_test

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/mailer"
)

func TestFanoutEachConfirmedAddressOnce(t *testing.T) {
	e := newEnv(t)
	a, b, other := e.addList(t, "a"), e.addList(t, "b"), e.addList(t, "other")
	want := map[string]bool{}
	for i := range 20 {
		email := fmt.Sprintf("r%02d@example.com", i)
		e.addSubscriber(t, email, "confirmed", a, b) // in both lists: once
		want[email] = true
	}
	e.addSubscriber(t, "pending@example.com", "pending", a)
	e.addSubscriber(t, "gone@example.com", "unsubscribed", a)
	e.addSubscriber(t, "bounced@example.com", "bounced", b)
	e.addSubscriber(t, "elsewhere@example.com", "confirmed", other)
	lapsed := e.addSubscriber(t, "lapsed@example.com", "confirmed")
	e.exec(t, `INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES (?, ?, 'unsubscribed', datetime(), datetime())`, lapsed, a)

	id := e.create(t, "a", "b")
	if _, err := e.svc.Send(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	e.fanout(t)
	got := map[string]bool{}
	for _, task := range e.q.take(queue.TypeMailSend) {
		p := payload(t, task)
		if p.Content.ListID != "List a <a.news.example>" || p.Content.From == "" || p.Content.HTML == "" {
			t.Errorf("content = %+v", p.Content)
		}
		if len(p.Recipients) > 7 {
			t.Errorf("batch of %d, page size is 7", len(p.Recipients))
		}
		for _, r := range p.Recipients {
			if got[r.Email] {
				t.Errorf("%s twice", r.Email)
			}
			got[r.Email] = true
			if r.Unsubscribe == "" || r.Preferences == "" || r.DeliveryID == 0 {
				t.Errorf("recipient %+v lacks tokens or id", r)
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recipients (-want +got):\n%s", diff)
	}
	c, err := e.svc.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(campaigns.Stats{Total: 20, Queued: 20}, c.Stats); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

func TestLifecycleConflicts(t *testing.T) {
	e := newEnv(t)
	e.addReaders(t, 1, e.addList(t, "a")) // a send to nobody is refused
	ctx := context.Background()
	id := e.create(t, "a")
	steps := []struct {
		name string
		step func(context.Context, int64) (*campaigns.Campaign, error)
		code string
		want string
	}{
		{"pause draft", e.svc.Pause, bulletin.ECONFLICT, ""},
		{"send", e.svc.Send, "", campaigns.StatusSending},
		{"send again", e.svc.Send, bulletin.ECONFLICT, ""},
		{"pause", e.svc.Pause, "", campaigns.StatusPaused},
		{"send paused", e.svc.Send, bulletin.ECONFLICT, ""},
		{"resume", e.svc.Resume, "", campaigns.StatusSending},
		{"cancel", e.svc.Cancel, "", campaigns.StatusCancelled},
		{"resume cancelled", e.svc.Resume, bulletin.ECONFLICT, ""},
	}
	for _, s := range steps {
		c, err := s.step(ctx, id)
		if got := bulletin.ErrorCode(err); got != s.code {
			t.Fatalf("%s: error %v, want code %q", s.name, err, s.code)
		}
		if err == nil && c.Status != s.want {
			t.Errorf("%s: status %s, want %s", s.name, c.Status, s.want)
		}
	}
	if _, err := e.svc.Send(ctx, 999); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Errorf("send of a missing campaign: %v", err)
	}
}

// sendAll runs every queued mail:send task through a Sender with the
// primary's ledger, runs times each, concurrently.
func (e *env) sendAll(t *testing.T, bs mailer.BatchSender, runs int) (failed int) {
	t.Helper()
	s := &mailer.Sender{Batch: bs, Ledger: e.svc.Ledger(), Chunk: 3}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, task := range e.q.take(queue.TypeMailSend) {
		for range runs {
			wg.Go(func() {
				if err := s.ProcessTask(context.Background(), task); err != nil {
					mu.Lock()
					failed++
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	return failed
}

func TestSendExactlyOnceWhenTasksRunTwice(t *testing.T) {
	e := newEnv(t)
	a := e.addList(t, "a")
	e.addReaders(t, 30, a)
	id := e.create(t, "a")
	if _, err := e.svc.Send(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	e.fanout(t)
	bs := &countingSender{}
	if n := e.sendAll(t, bs, 3); n != 0 {
		t.Fatalf("%d runs failed", n)
	}
	for email, n := range bs.counts {
		if n != 1 {
			t.Errorf("%s got %d copies", email, n)
		}
	}
	if len(bs.counts) != 30 {
		t.Errorf("%d recipients got mail, want 30", len(bs.counts))
	}
	// A reconcile now finds nothing to rebuild, and the campaign is sent.
	if n, err := e.svc.Reconcile(context.Background(), e.q); err != nil || n != 0 {
		t.Errorf("Reconcile = %d, %v; want 0", n, err)
	}
	c, _ := e.svc.Get(context.Background(), id)
	if c.Status != campaigns.StatusSent || c.Stats.Sent != 30 {
		t.Errorf("campaign %s with %+v", c.Status, c.Stats)
	}
}

func TestSendRetriesTemporaryAndCountsBounces(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.addList(t, "a")
	e.addSubscriber(t, "ok@example.com", "confirmed", a)
	later := e.addSubscriber(t, "later@example.com", "confirmed", a)
	bad := e.addSubscriber(t, "bad@example.com", "confirmed", a)
	rdb := queuetest.Embedded(t).Redis()
	e.svc.SetGoneRecorder(&queue.GoneSet{Redis: rdb})
	for round := 1; round <= campaigns.HardBounces; round++ {
		id := e.create(t, "a")
		if _, err := e.svc.Send(ctx, id); err != nil {
			t.Fatal(err)
		}
		e.fanout(t)
		tasks := e.q.tasks
		bs := &countingSender{fail: map[string]error{
			"later@example.com": &mailer.SendError{Code: 451, Message: "try later"},
			"bad@example.com":   &mailer.SendError{Code: 550, Message: "no such user", Permanent: true},
		}}
		if n := e.sendAll(t, bs, 1); n != 1 {
			t.Fatalf("round %d: %d tasks failed, want 1 (to retry)", round, n)
		}
		e.q.tasks = tasks // asynq retries the task
		if n := e.sendAll(t, bs, 1); n != 0 {
			t.Fatalf("round %d: retry failed", round)
		}
		want := map[string]string{"ok@example.com": "sent", "later@example.com": "sent", "bad@example.com": "bounced"}
		if diff := cmp.Diff(want, e.deliveryStatuses(t, id)); diff != "" {
			t.Errorf("round %d (-want +got):\n%s", round, diff)
		}
		// The subscriber stays confirmed, counting, until the last hard
		// bounce; only that one makes them bounced.
		wantSub := subscriberState{"confirmed", round}
		if round == campaigns.HardBounces {
			wantSub.Status = "bounced"
		}
		if diff := cmp.Diff(wantSub, e.subscriberState(t, bad)); diff != "" {
			t.Errorf("round %d: subscriber after the bounce (-want +got):\n%s", round, diff)
		}
		if diff := cmp.Diff(subscriberState{"confirmed", 0}, e.subscriberState(t, later)); diff != "" {
			t.Errorf("round %d: subscriber after a 451 (-want +got):\n%s", round, diff)
		}
		if bs.counts["later@example.com"] != 1 || bs.counts["ok@example.com"] != 1 {
			t.Errorf("round %d: counts %v", round, bs.counts)
		}
		// Send workers hear of the subscriber once bounced, not before.
		_, err := rdb.ZScore(ctx, queue.GoneKey, strconv.FormatInt(bad, 10)).Result()
		if gone := err == nil; gone != (round == campaigns.HardBounces) {
			t.Errorf("round %d: recorded gone %t (%v)", round, gone, err)
		}
		// The address goes on the suppression list with its last hard
		// refusal, as a hard bounce reported by DSN puts it there.
		var suppressed int
		if err := e.db.Read.QueryRow(`SELECT COUNT(*) FROM suppressions WHERE target = 'bad@example.com' AND reason = 'bounce' AND source = 'smtp'`).Scan(&suppressed); err != nil {
			t.Fatal(err)
		}
		if (suppressed == 1) != (round == campaigns.HardBounces) {
			t.Errorf("round %d: the address is on the suppression list %d times", round, suppressed)
		}
	}
	// Recording the same bounce again counts nothing more.
	if err := e.svc.Record(ctx, 1, []queue.Result{{DeliveryID: 3, Status: queue.ResultBounced}}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(subscriberState{"bounced", campaigns.HardBounces}, e.subscriberState(t, bad)); diff != "" {
		t.Errorf("after recording a bounce twice (-want +got):\n%s", diff)
	}
	// The next campaign leaves the bounced address out.
	id := e.create(t, "a")
	if _, err := e.svc.Send(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.fanout(t)
	bs := &countingSender{}
	if n := e.sendAll(t, bs, 1); n != 0 {
		t.Fatalf("%d tasks failed after the bounces", n)
	}
	want := map[string]string{"ok@example.com": "sent", "later@example.com": "sent"}
	if diff := cmp.Diff(want, e.deliveryStatuses(t, id)); diff != "" {
		t.Errorf("campaign after %d hard bounces (-want +got):\n%s", campaigns.HardBounces, diff)
	}
	if diff := cmp.Diff(map[string]int{"ok@example.com": 1, "later@example.com": 1}, bs.counts); diff != "" {
		t.Errorf("mailed after %d hard bounces (-want +got):\n%s", campaigns.HardBounces, diff)
	}
}

// subscriberState is what bounces change about a subscriber.
type subscriberState struct {
	Status  string
	Bounces int
}

func (e *env) subscriberState(t *testing.T, id int64) subscriberState {
	t.Helper()
	var s subscriberState
	if err := e.db.Read.QueryRow(`SELECT status, bounce_count FROM subscribers WHERE id = ?`, id).Scan(&s.Status, &s.Bounces); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestReconcileRebuildsLostBatches(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.addList(t, "a")
	e.addReaders(t, 20, a)
	id := e.create(t, "a")
	if _, err := e.svc.Send(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.fanout(t)
	first := e.q.take(queue.TypeMailSend) // Redis loses them
	e.sendAll(t, &countingSender{}, 0)
	// One batch went out before the loss.
	s := &mailer.Sender{Batch: &countingSender{}, Ledger: e.svc.Ledger()}
	if err := s.ProcessTask(ctx, first[0]); err != nil {
		t.Fatal(err)
	}
	n, err := e.svc.Reconcile(ctx, e.q)
	if err != nil {
		t.Fatal(err)
	}
	rebuilt := e.q.take(queue.TypeMailSend)
	if n != len(first)-1 || len(rebuilt) != n {
		t.Fatalf("reconcile enqueued %d (%d tasks), want %d", n, len(rebuilt), len(first)-1)
	}
	var got, want []string
	for i, task := range rebuilt {
		p, q := payload(t, task), payload(t, first[i+1])
		if p.Batch != q.Batch {
			t.Errorf("batch %d rebuilt as %d", q.Batch, p.Batch)
		}
		for j := range p.Recipients {
			got = append(got, p.Recipients[j].Email)
			want = append(want, q.Recipients[j].Email)
		}
	}
	sort.Strings(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rebuilt recipients (-want +got):\n%s", diff)
	}
}
