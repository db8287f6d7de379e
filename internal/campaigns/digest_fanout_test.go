package campaigns_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/mailer"
)

// A digest to a large list queues its mail:send tasks only as far ahead
// of sending as the fan-out's backlog allows, as a campaign does, however
// many readers it has; after a restart (a new Service on the same rows,
// its queue empty) the reconciler queues again only the batches handed
// out and the fan-out goes on from there; every reader gets the digest
// once and the digest ends sent.
func TestDigestFansOutBoundedAndResumes(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.svc.MaxQueued = 14 // two pages of 7: the fan-out checks its backlog every 10 pages
	news := e.addList(t, "news")
	e.exec(t, `UPDATE lists SET digest = 'daily' WHERE id = ?`, news)
	e.exec(t, `INSERT INTO articles (id, url, title, summary, author, published_at, created_at) VALUES (1, 'https://news.example/a', 'Ferry news', 'The ferry.', 'Maren', ?, ?)`,
		time.Now().Add(-time.Hour).UTC(), time.Now().UTC())
	e.exec(t, `INSERT INTO article_lists (article_id, list_id) VALUES (1, ?)`, news)
	const readers, pages = 300, 43 // 300 readers in pages of 7
	e.addReaders(t, readers, news)

	d, err := e.svc.RunDigest(ctx, "news")
	if err != nil {
		t.Fatal(err)
	}
	if d.ID == 0 || d.Recipients != readers {
		t.Fatalf("digest = %+v, want one to %d readers", d, readers)
	}
	const bound = 10 // pages the fan-out hands out before it looks at its backlog
	sends := e.q.take(queue.TypeMailSend)
	fanouts := e.q.take(queue.TypeCampaignFanout)
	if len(sends) > bound || len(fanouts) != 1 {
		t.Fatalf("after the build: %d mail:send tasks (want at most %d of %d batches) and %d fan-out tasks (want 1)", len(sends), bound, pages, len(fanouts))
	}
	for _, f := range fanouts {
		if err := e.svc.HandleFanout(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	handed := append(sends, e.q.take(queue.TypeMailSend)...)
	if len(handed) == 0 || len(handed) > bound {
		t.Fatalf("nothing sent: %d mail:send tasks queued, want 1 to %d of %d batches", len(handed), bound, pages)
	}

	// A restart: a new queue, empty, and the reconciler.
	e.q = &fakeQueue{}
	e.svc.Queue = e.q
	if _, err := e.svc.Reconcile(ctx, e.q); err != nil {
		t.Fatal(err)
	}
	again := e.q.take(queue.TypeMailSend)
	if len(again) != len(handed) {
		t.Errorf("the reconciler queued %d mail:send tasks, want the %d handed out before the restart", len(again), len(handed))
	}
	e.q.tasks = append(e.q.tasks, again...)

	bs := &countingSender{}
	s := &mailer.Sender{Batch: bs, Ledger: e.svc.Ledger(), Chunk: 3}
	most := 0
	for round := 0; ; round++ {
		if round > 2*pages {
			t.Fatal("the digest's fan-out does not end")
		}
		sends, fanouts := e.q.take(queue.TypeMailSend), e.q.take(queue.TypeCampaignFanout)
		if len(sends) == 0 && len(fanouts) == 0 {
			break
		}
		most = max(most, len(sends))
		for _, task := range sends {
			if err := s.ProcessTask(ctx, task); err != nil {
				t.Fatal(err)
			}
		}
		for _, task := range fanouts {
			if err := e.svc.HandleFanout(ctx, task); err != nil {
				t.Fatal(err)
			}
		}
	}
	if most > bound {
		t.Errorf("%d mail:send tasks queued at once, want at most %d", most, bound)
	}
	want := map[string]int{}
	for i := range readers {
		want[fmt.Sprintf("r%02d@example.com", i)] = 1
	}
	if diff := cmp.Diff(want, bs.counts); diff != "" {
		t.Errorf("copies per reader (-want +got):\n%s", diff)
	}
	st, err := e.svc.DigestStats(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(campaigns.Stats{Total: readers, Sent: readers}, st); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	var status string
	if err := e.db.Read.QueryRow(`SELECT status FROM campaigns WHERE id = ?`, d.ID).Scan(&status); err != nil || status != campaigns.StatusSending && status != campaigns.StatusSent {
		t.Fatalf("status %q: %v", status, err)
	}
	if status != campaigns.StatusSent {
		t.Errorf("digest is %s after every copy went out, want sent", status)
	}
}
