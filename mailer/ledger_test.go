package mailer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/mailer"
)

// workerSender is a stateless worker's sender: a RedisLedger on q and a
// real SMTP transport to srv.
func workerSender(t *testing.T, q *tasks.Queue, srv *smtptest.Server) *mailer.Sender {
	t.Helper()
	return &mailer.Sender{Batch: smtpTo(t, srv), Ledger: &mailer.RedisLedger{Redis: q.Redis(), Enqueuer: q.Client}, Chunk: 2}
}

// sendPayload is a batch of campaign 7 read from the rows at since, to
// subscribers 1 to n (delivery 100+i to reader i).
func sendPayload(n int, since time.Time) *tasks.SendPayload {
	p := &tasks.SendPayload{CampaignID: 7, Batch: 0, Since: since, Content: tasks.Content{
		From: "Harbour Gazette <news@harbour.test>", Subject: "Harbour news",
		Text: "Hello " + mailer.Markers("").Of(mailer.Name), HTML: "<p>Hello " + mailer.Markers("").Of(mailer.Name) + "</p>",
		ListID: "News <news.harbour.test>", BaseURL: "http://harbour.test",
	}}
	for i := 1; i <= n; i++ {
		p.Recipients = append(p.Recipients, tasks.Recipient{
			DeliveryID: int64(100 + i), SubscriberID: int64(i), Email: fmt.Sprintf("reader%d@example.com", i),
			Unsubscribe: "u", Preferences: "p",
		})
	}
	return p
}

// runTask runs p through the sender as asynq would, from its encoded form.
func runTask(t *testing.T, s *mailer.Sender, p *tasks.SendPayload) {
	t.Helper()
	task, _, err := tasks.NewSendTask(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ProcessTask(context.Background(), task); err != nil {
		t.Fatal(err)
	}
}

// recorded returns the status of each delivery in the delivery:record
// tasks queued for the primary, and how many results they carried.
func recorded(t *testing.T, q *tasks.Queue) (map[int64]string, int) {
	t.Helper()
	ins := asynq.NewInspectorFromRedisClient(q.Redis())
	infos, err := ins.ListPendingTasks(tasks.QueueResults, asynq.PageSize(1000))
	if err != nil {
		t.Fatal(err)
	}
	got, n := map[int64]string{}, 0
	for _, ti := range infos {
		var p tasks.RecordPayload
		if err := json.Unmarshal(ti.Payload, &p); err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Results {
			got[r.DeliveryID] = r.Status
			n++
		}
	}
	return got, n
}

// A subscriber the primary records as gone after their batch was read is
// skipped by a worker, remembered as such and reported skipped; one who
// left before the batch was read, and so came back, is sent to, as are
// the others. A rerun sends nothing more.
func TestRedisLedgerSkipsGoneSubscribers(t *testing.T) {
	ctx := context.Background()
	q := queuetest.Embedded(t)
	srv := smtptest.Start(t)
	s := workerSender(t, q, srv)
	since := time.Now().Add(-time.Minute)
	p := sendPayload(5, since)
	if err := tasks.AddGone(ctx, q.Redis(), since.Add(time.Second), 2, 5); err != nil {
		t.Fatal(err)
	}
	if err := tasks.AddGone(ctx, q.Redis(), since.Add(-time.Hour), 4); err != nil {
		t.Fatal(err)
	}

	runTask(t, s, p)
	wantCopies := map[string]int{}
	gotCopies := map[string]int{}
	for _, r := range p.Recipients {
		wantCopies[r.Email] = 1
		gotCopies[r.Email] = srv.Count(r.Email)
	}
	wantCopies["reader2@example.com"], wantCopies["reader5@example.com"] = 0, 0
	if diff := cmp.Diff(wantCopies, gotCopies); diff != "" {
		t.Errorf("copies (-want +got):\n%s", diff)
	}
	want := map[int64]string{101: "sent", 102: "skipped", 103: "sent", 104: "sent", 105: "skipped"}
	got, _ := recorded(t, q)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results queued for the primary (-want +got):\n%s", diff)
	}
	done, err := q.Redis().HGet(ctx, tasks.DoneKey(7), "102").Result()
	if err != nil {
		t.Fatalf("skipped delivery not remembered: %v", err)
	}
	var r tasks.Result
	if err := json.Unmarshal([]byte(done), &r); err != nil || r.Status != tasks.ResultSkipped || r.SubscriberID != 2 {
		t.Errorf("remembered %s (%v), want skipped for subscriber 2", done, err)
	}

	// The reader comes back; the task runs again: what was skipped stays
	// skipped, and nothing goes out twice.
	q.Redis().ZRem(ctx, tasks.GoneKey, "2", "5")
	runTask(t, s, p)
	if srv.Total() != 3 {
		t.Errorf("%d messages after a rerun, want 3", srv.Total())
	}
	if got, n := recorded(t, q); n != 10 || got[102] != "skipped" {
		t.Errorf("after a rerun %d results queued, 102 %s; want every result again, 102 skipped", n, got[102])
	}
}

// A task queued before batches carried the time they were read skips
// whoever is in the set, the week it keeps.
func TestRedisLedgerSkipsGoneWithoutSince(t *testing.T) {
	ctx := context.Background()
	q := queuetest.Embedded(t)
	srv := smtptest.Start(t)
	s := workerSender(t, q, srv)
	if err := tasks.AddGone(ctx, q.Redis(), time.Now().Add(-time.Hour), 1); err != nil {
		t.Fatal(err)
	}
	runTask(t, s, sendPayload(3, time.Time{}))
	if srv.Count("reader1@example.com") != 0 || srv.Total() != 2 {
		t.Errorf("reader1 got %d copies, %d messages in all; want 0 and 2", srv.Count("reader1@example.com"), srv.Total())
	}
	if got, _ := recorded(t, q); got[101] != tasks.ResultSkipped {
		t.Errorf("delivery 101 recorded %q, want skipped", got[101])
	}
}
