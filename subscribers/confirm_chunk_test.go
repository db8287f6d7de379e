package subscribers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// countingBox counts the mails to each address and refuses those to
// addresses at down.example.
type countingBox struct {
	mu sync.Mutex
	n  map[string]int
}

func (b *countingBox) Send(_ context.Context, _ string, to []string, _ []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, addr := range to {
		if strings.HasSuffix(addr, "@down.example") {
			return errors.New("451 try later")
		}
		b.n[addr]++
	}
	return nil
}

func (b *countingBox) count(addr string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n[addr]
}

// A confirm task larger than one claim's turn on the write connection
// (claimChunk) mails every reader once; the mails that failed are handed
// back for a retry (confirm_queued = 1) and the sent ones cleared, and a
// second run of the same task sends nothing again but the retries (over
// SMTP the refusals are for good, 550 5.1.1: bounces, cleared). Sent
// one by one (the outbox) and as a batch over SMTP, pipelined to a server
// that answers each pipelined group at once, whose replies the batch must
// give back to the right readers.
func TestConfirmTaskClaimsInTurns(t *testing.T) {
	for _, viaSMTP := range []bool{false, true} {
		t.Run(map[bool]string{false: "one by one", true: "SMTP batch"}[viaSMTP], func(t *testing.T) {
			e := newSignupEnv(t)
			box := &countingBox{n: map[string]int{}}
			e.c.Transport = box
			count, failure := box.count, "451"
			if viaSMTP {
				srv := smtptest.Start(t, smtptest.WithBatchedReplies(), smtptest.WithFaults(smtptest.Faults{RejectDomain: "down.example"}))
				e.c.Transport = mailtest.SMTPTo(t, srv.URL())
				// A 550 5.1.1 is a bounce, not retried (see
				// TestConfirmRefusedForGoodIsABounce): no failure.
				count, failure = srv.Count, ""
			}
			confirmInTurns(t, e, count, failure)
		})
	}
}

func confirmInTurns(t *testing.T, e *signupEnv, count func(string) int, failure string) {
	signups := NewSignups(e.store, e.q, nil)
	const n = 3*claimChunk + 5
	addr := func(i int) string {
		if i%10 == 3 {
			return fmt.Sprintf("r%02d@down.example", i)
		}
		return fmt.Sprintf("r%02d@example.com", i)
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := signups.Signup(context.Background(), &Signup{Email: addr(i), Lists: []string{"sport"}}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	signups.Close()
	// The group commit may have split the signups into several tasks;
	// one task of all their items is larger than a claim's turn.
	items := queuedItems(t, e.q)
	if len(items) != n {
		t.Fatalf("%d confirmations queued, want %d", len(items), n)
	}
	task, err := queue.NewConfirmTask(items)
	if err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		err := e.c.ProcessTask(context.Background(), task)
		if failure == "" && err != nil {
			t.Errorf("round %d: task error %v, want none", round, err)
		} else if failure != "" && (err == nil || !strings.Contains(err.Error(), failure)) {
			t.Errorf("round %d: task error %v, want the failed sends reported", round, err)
		}
	}
	flags := map[int]int{}
	rows, err := e.store.db.Read.Query(`SELECT confirm_queued FROM subscribers`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var f int
		if err := rows.Scan(&f); err != nil {
			t.Fatal(err)
		}
		flags[f]++
	}
	down := 0
	for i := range n {
		want := 1
		if i%10 == 3 {
			down++
			want = 0
		}
		if got := count(addr(i)); got != want {
			t.Errorf("%s got %d confirmations, want %d", addr(i), got, want)
		}
	}
	wantFlags := map[int]int{0: n - down, 1: down}
	if failure == "" {
		wantFlags = map[int]int{0: n} // the refused ones bounced
	}
	if diff := cmp.Diff(wantFlags, flags); diff != "" {
		t.Errorf("confirm_queued of the readers (-want +got):\n%s", diff)
	}
}

// queuedItems returns the items of every confirm task in q.
func queuedItems(t *testing.T, q *taskQueue) []queue.ConfirmItem {
	t.Helper()
	var items []queue.ConfirmItem
	for _, task := range q.tasks {
		p, err := queue.ParseConfirmTask(task)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, p.Items...)
	}
	return items
}

// An item twice in a task is mailed once, and an item for an older request
// of a reader (its confirm_sent_at moved on) is not mailed: the task of the
// newer request sends that one.
func TestConfirmTaskSkipsRepeatsAndOlderRequests(t *testing.T) {
	e := newSignupEnv(t)
	box := &countingBox{n: map[string]int{}}
	e.c.Transport = box
	signups := NewSignups(e.store, e.q, nil)
	for _, addr := range []string{"ann@example.com", "ben@example.com"} {
		if err := signups.Signup(context.Background(), &Signup{Email: addr, Lists: []string{"sport"}}); err != nil {
			t.Fatal(err)
		}
	}
	signups.Close()
	items := queuedItems(t, e.q)
	if len(items) != 2 {
		t.Fatalf("%d items queued, want 2", len(items))
	}
	ann, ben := items[0], items[1]
	older := ben
	older.SentAt--
	task, err := queue.NewConfirmTask([]queue.ConfirmItem{ann, older, ann})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.c.ProcessTask(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"ann@example.com": 1}, box.n); diff != "" {
		t.Errorf("mails sent (-want +got):\n%s", diff)
	}
	var flag int
	if err := e.store.db.Read.QueryRow(`SELECT confirm_queued FROM subscribers WHERE id = ?`, ben.ID).Scan(&flag); err != nil {
		t.Fatal(err)
	}
	if flag != 1 {
		t.Errorf("ben's confirm_queued = %d, want 1: still waiting for the task of his request", flag)
	}
	task, err = queue.NewConfirmTask([]queue.ConfirmItem{ben})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.c.ProcessTask(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"ann@example.com": 1, "ben@example.com": 1}, box.n); diff != "" {
		t.Errorf("mails sent after ben's own task (-want +got):\n%s", diff)
	}
}
