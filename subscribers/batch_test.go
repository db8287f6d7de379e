package subscribers

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// gatedQueue holds its first EnqueueContext until open is closed, as a
// slow Redis does, and keeps every task.
type gatedQueue struct {
	taskQueue
	first   sync.Once
	entered chan struct{}
	open    chan struct{}
}

func (q *gatedQueue) EnqueueContext(ctx context.Context, t *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error) {
	q.first.Do(func() { close(q.entered); <-q.open })
	return q.taskQueue.EnqueueContext(ctx, t, opts...)
}

// gatedSignups returns a running Signups on a fresh store with a public
// list "sport", enqueuing on a gated queue; it is closed when t ends.
func gatedSignups(t *testing.T) (*Signups, *gatedQueue) {
	t.Helper()
	s := newStore(t)
	if err := s.CreateList(context.Background(), &List{Slug: "sport", Name: "Sport", Public: true}); err != nil {
		t.Fatal(err)
	}
	q := &gatedQueue{entered: make(chan struct{}), open: make(chan struct{})}
	signups := NewSignups(s, q, nil)
	t.Cleanup(func() { signups.Close() })
	return signups, q
}

// requireEachOnce checks that q's confirm tasks name n subscribers, each
// in one task, and that no task holds more than maxConfirmItems.
func requireEachOnce(t *testing.T, q *gatedQueue, n int) {
	t.Helper()
	seen := map[int64]int{}
	for _, task := range q.tasks {
		p, err := queue.ParseConfirmTask(task)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) > maxConfirmItems {
			t.Errorf("a confirm task holds %d items, more than %d", len(p.Items), maxConfirmItems)
		}
		for _, it := range p.Items {
			seen[it.ID]++
		}
	}
	if len(seen) != n {
		t.Errorf("%d subscribers in confirm tasks, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("subscriber %d is in %d confirm tasks, want 1", id, k)
		}
	}
}

// Batches committed while the queue is busy go to it as one task, and
// every signup's confirmation is in exactly one task.
func TestCommittedBatchesShareAConfirmTask(t *testing.T) {
	signups, q := gatedSignups(t)
	signup := func(i int) {
		t.Helper()
		if err := signups.Signup(context.Background(), &Signup{Email: fmt.Sprintf("r%d@example.com", i), Lists: []string{"sport"}}); err != nil {
			t.Fatal(err)
		}
	}
	signup(0)
	<-q.entered // the first batch's task is on its way, held
	for i := 1; i <= 5; i++ {
		signup(i) // one batch each: the caller waits for its commit
	}
	close(q.open)
	signups.Flush()

	var sizes []int
	seen := map[int64]int{}
	for _, task := range q.tasks {
		p, err := queue.ParseConfirmTask(task)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(p.Items))
		for _, it := range p.Items {
			seen[it.ID]++
		}
	}
	if diff := cmp.Diff([]int{1, 5}, sizes); diff != "" {
		t.Errorf("items per confirm task (-want +got):\n%s", diff)
	}
	for id := int64(1); id <= 6; id++ {
		if seen[id] != 1 {
			t.Errorf("subscriber %d is in %d confirm tasks, want 1", id, seen[id])
		}
	}
}

// However many batches wait, a confirm task holds no more than one commit
// could (maxConfirmItems), so that it sends within its timeout; none is
// lost or sent twice on the way.
func TestConfirmTasksStayWithinTheirBound(t *testing.T) {
	signups, q := gatedSignups(t)
	if err := signups.Signup(context.Background(), &Signup{Email: "first@example.com", Lists: []string{"sport"}}); err != nil {
		t.Fatal(err)
	}
	<-q.entered
	const n = 600
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- signups.Signup(context.Background(), &Signup{Email: fmt.Sprintf("r%d@example.com", i), Lists: []string{"sport"}})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	close(q.open)
	signups.Flush()

	requireEachOnce(t, q, n+1)
}

// Signups are answered while the queue stalls, however many batches are
// committed meanwhile (more than the hand-over channel holds), and every
// confirmation reaches the queue once it moves again.
func TestSignupsGoOnWhileTheQueueStalls(t *testing.T) {
	signups, q := gatedSignups(t)
	// One at a time, a batch each: more than a task (256) and the
	// channel (64 batches) hold.
	const n = 600
	done := make(chan error, 1)
	go func() {
		for i := range n {
			if err := signups.Signup(context.Background(), &Signup{Email: fmt.Sprintf("s%d@example.com", i), Lists: []string{"sport"}}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		close(q.open)
		t.Fatal("signups stopped being answered while the queue stalled")
	}
	close(q.open)
	signups.Flush()
	requireEachOnce(t, q, n)
}

// The group commit's histogram counts each transaction and the signups
// it held: one apiece for signups made one after another, and all of
// them, in fewer transactions or as many, for signups made at once.
func TestSignupMetricsCountBatches(t *testing.T) {
	signups, q := gatedSignups(t)
	close(q.open)
	reg := prometheus.NewRegistry()
	signups.Metrics = NewSignupMetrics(reg)
	signup := func(i int) error {
		return signups.Signup(context.Background(), &Signup{Email: fmt.Sprintf("r%d@example.com", i), Lists: []string{"sport"}})
	}
	for i := range 3 {
		if err := signup(i); err != nil {
			t.Fatal(err)
		}
	}
	if n, sum := batchHistogram(t, reg); n != 3 || sum != 3 {
		t.Errorf("after 3 signups in turn: %d transactions holding %v signups, want 3 and 3", n, sum)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 3; i < 43; i++ {
		wg.Go(func() { errs <- signup(i) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n, sum := batchHistogram(t, reg); n < 4 || n > 43 || sum != 43 {
		t.Errorf("after 40 more at once: %d transactions holding %v signups, want 4–43 and 43", n, sum)
	}
}

// batchHistogram reads bulletin_signup_batch_signups from reg.
func batchHistogram(t *testing.T, reg *prometheus.Registry) (uint64, float64) {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "bulletin_signup_batch_signups" {
			h := mf.GetMetric()[0].GetHistogram()
			return h.GetSampleCount(), h.GetSampleSum()
		}
	}
	t.Fatal("no bulletin_signup_batch_signups")
	return 0, 0
}
