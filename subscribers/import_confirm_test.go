package subscribers

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// An import of pending readers queues their confirmations as each batch
// commits, a task per batch of at most a hundred, so serve mails them
// within seconds rather than at the next reconcile. A confirmed import
// queues nothing.
func TestImportQueuesConfirmations(t *testing.T) {
	ctx := context.Background()
	e := newSignupEnv(t)
	var csv strings.Builder
	for i := range 250 {
		fmt.Fprintf(&csv, "reader%d@example.com,Reader %d\n", i, i)
	}
	rep, err := e.store.Import(ctx, strings.NewReader(csv.String()), ImportOptions{List: "news", BatchSize: 120, Confirms: e.q})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pending != 250 || rep.Queued != 250 || rep.QueueErr != nil {
		t.Fatalf("report: pending %d, queued %d, err %v", rep.Pending, rep.Queued, rep.QueueErr)
	}
	seen := map[int64]bool{}
	for _, task := range e.q.tasks {
		p, err := queue.ParseConfirmTask(task)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) == 0 || len(p.Items) > 100 {
			t.Errorf("a task holds %d confirmations", len(p.Items))
		}
		for _, it := range p.Items {
			seen[it.ID] = true
		}
		if err := e.c.ProcessTask(ctx, task); err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != 250 || len(e.box) != 250 {
		t.Errorf("%d readers in the tasks, %d mails sent; want 250 of each", len(seen), len(e.box))
	}
	if _, token := e.takeMail("reader7@example.com"); token == "" {
		t.Error("no confirmation link in reader7's mail")
	}

	e.q.tasks = nil
	rep, err = e.store.Import(ctx, strings.NewReader("other@example.com\n"), ImportOptions{List: "news", Confirmed: true, Confirms: e.q})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Queued != 0 || len(e.q.tasks) != 0 {
		t.Errorf("a confirmed import queued %d confirmations in %d tasks", rep.Queued, len(e.q.tasks))
	}
}
