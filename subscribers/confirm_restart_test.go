package subscribers

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// dbRestart is the database of BULLETIN_TEST_REDIS_URL this file's test
// empties and uses: one queuetest gives no other package.
const dbRestart = 14

// A serve killed (kill -9) just after answering signups leaves their rows
// flagged, or claimed by the confirmation task that was sending them, and
// with the embedded Redis its queue died with it. The start-up pass of
// the serve that follows mails them at once, not 5 to 8 minutes later
// when the rows are reconcileAge old: a row flagged 10 s ago, one claimed
// by the dead serve's task, each once. It leaves a claim made outside the
// queue (an import sending its own confirmations, which may still run),
// and a row this process flagged itself, whose task may still be queued.
// With an external Redis, where a task still queued or a worker still
// sending may hold any of them, it leaves them all to the age rule.
func TestStartupReconcileTakesTheDeadServesConfirmations(t *testing.T) {
	for _, tc := range []struct {
		name     string
		open     func(t *testing.T) *queue.Queue
		embedded bool
	}{
		{"embedded Redis", func(t *testing.T) *queue.Queue { return queuetest.Embedded(t) }, true},
		{"external Redis", func(t *testing.T) *queue.Queue {
			q, err := queue.Open(queuetest.RedisURL(t, dbRestart))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { q.Close() })
			return q
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.open(t)
			srv := smtptest.Start(t)
			e := newSignupEnv(t)
			e.c.Transport = mailtest.SMTPTo(t, srv.URL())
			ctx := context.Background()
			signups := NewSignups(e.store, e.q, nil)
			addrs := []string{"flagged@example.com", "claimed@example.com", "importing@example.com", "own@example.com"}
			for _, a := range addrs {
				if err := signups.Signup(ctx, &Signup{Email: a, Lists: []string{"sport"}}); err != nil {
					t.Fatal(err)
				}
			}
			signups.Close()
			e.q.tasks = nil // they were in the Redis of the serve that died

			// The dead serve flagged three rows 10 s ago; its task claimed one,
			// an import claimed another. This serve started 5 s ago and
			// flagged the fourth 2 s ago.
			now := sqlite.Now()
			flagged := now.Add(-10 * time.Second)
			defer func(was time.Time) { processStart = was }(processStart)
			processStart = now.Add(-5 * time.Second)
			set := func(addr string, sentAt time.Time, flag int, claimedAt any) {
				t.Helper()
				if _, err := e.store.db.Write.Exec(`UPDATE subscribers SET confirm_sent_at = ?, confirm_queued = ?, confirm_claimed_at = ?
					WHERE email_key = ?`, sentAt, flag, claimedAt, addr); err != nil {
					t.Fatal(err)
				}
			}
			set("flagged@example.com", flagged, 1, nil)
			set("claimed@example.com", flagged, 2, flagged.Unix())
			set("importing@example.com", flagged, 2, claimStamp(ctx, flagged))
			set("own@example.com", now.Add(-2*time.Second), 1, nil)

			n, err := e.store.Reconcile(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int{"flagged@example.com": 1, "claimed@example.com": 1}
			wantFlags := map[string]int{"flagged@example.com": 0, "claimed@example.com": 0, "importing@example.com": 2, "own@example.com": 1}
			if !tc.embedded {
				want = map[string]int{}
				wantFlags = map[string]int{"flagged@example.com": 1, "claimed@example.com": 2, "importing@example.com": 2, "own@example.com": 1}
			}
			if n != len(want) {
				t.Errorf("the start-up pass queued %d confirmations, want %d", n, len(want))
			}
			start := time.Now()
			runQueue(t, q, e.c, func() bool {
				if len(want) == 0 { // a task queued by mistake has run within the second
					return time.Since(start) > time.Second
				}
				return srv.Total() >= len(want)
			})
			for _, a := range addrs {
				if got := srv.Count(a); got != want[a] {
					t.Errorf("%s got %d confirmation mails, want %d", a, got, want[a])
				}
				var flag int
				if err := e.store.db.Read.QueryRow(`SELECT confirm_queued FROM subscribers WHERE email_key = ?`, a).Scan(&flag); err != nil {
					t.Fatal(err)
				}
				if flag != wantFlags[a] {
					t.Errorf("%s: confirm_queued = %d, want %d", a, flag, wantFlags[a])
				}
			}
			// Sent and cleared: the next pass queues none of them again.
			if n, err := e.store.Reconcile(ctx, q); err != nil || n != 0 {
				t.Errorf("the next pass queued %d confirmations (err %v), want none", n, err)
			}
		})
	}
}

// runQueue runs the confirmation tasks of q with c, as serve does, until
// done says so (or 10 s pass), and stops once the tasks under way end.
func runQueue(t *testing.T, q *queue.Queue, c *Confirmer, done func() bool) {
	t.Helper()
	mux := asynq.NewServeMux()
	mux.Handle(queue.TypeSubscriberConfirm, c)
	srv := asynq.NewServerFromRedisClient(q.Redis(), queue.ServerConfig(map[string]int{queue.QueueDefault: 1}, 2, slog.New(slog.DiscardHandler)))
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	for deadline := time.Now().Add(10 * time.Second); !done() && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
}

// An import with the embedded Redis sends its readers' confirmations in
// its own process, which a serve starting meanwhile cannot see: the
// claims of a batch the import is sending when serve's start-up pass runs
// are its, not the dead serve's, and the pass leaves them. The reader
// gets one mail.
func TestStartupReconcileLeavesAnImportsClaims(t *testing.T) {
	e := newSignupEnv(t)
	ctx := context.Background()
	signups := NewSignups(e.store, e.q, nil)
	if err := signups.Signup(ctx, &Signup{Email: "ann@example.com", Lists: []string{"sport"}}); err != nil {
		t.Fatal(err)
	}
	signups.Close()
	tasks := e.q.tasks
	e.q.tasks = nil
	q := queuetest.Embedded(t)
	defer func(was time.Time) { processStart = was }(processStart)
	box := &midSendBox{sent: map[string]int{}}
	box.during = func() { // serve starts while the import sends
		processStart = sqlite.Now().Add(time.Second)
		if n, err := e.store.Reconcile(ctx, q); err != nil || n != 0 {
			t.Errorf("serve's start-up pass queued %d confirmations (err %v) while the import sent them, want none", n, err)
		}
	}
	e.c.Transport = box
	for _, task := range tasks { // as import runs them: at once, outside the queue
		if err := e.c.ProcessTask(ctx, task); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now() // a task queued by mistake runs within the second
	runQueue(t, q, e.c, func() bool { return time.Since(start) > time.Second })
	if n := box.sent["ann@example.com"]; n != 1 {
		t.Errorf("ann@example.com got %d confirmation mails, want 1", n)
	}
}
