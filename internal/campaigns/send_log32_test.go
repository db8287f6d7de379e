package campaigns_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/logtest"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/mailer"
)

// logTo sends the service's log lines to a new logtest.Buffer.
func (e *env) logTo() *logtest.Buffer {
	logs := &logtest.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	e.svc.Log, e.svc.Store.Log = log, log
	return logs
}

// A campaign logs one INFO line when it starts sending, with its
// recipients, and one when it is sent, with its counts and how long it
// took: once each, though a second start is tried, several workers
// record its last results at the same time, each of them twice, and the
// reconciler looks at it after.
func TestCampaignLogsItsStartAndEndOnce(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	logs := e.logTo()
	e.addReaders(t, 10, e.addList(t, "a"))
	id := e.create(t, "a")
	rs := e.recipientsKicked(t, id, 10)
	if _, err := e.svc.Send(ctx, id); err == nil {
		t.Fatal("a second Send worked, want a conflict")
	}
	if got := logs.Lines("campaign sent"); len(got) != 0 {
		t.Fatalf("sent before any result: %q", got)
	}

	at := time.Now().UTC()
	results := make([]queue.Result, len(rs))
	for i, r := range rs {
		results[i] = queue.Result{DeliveryID: r.DeliveryID, SubscriberID: r.SubscriberID, Status: queue.ResultSent, At: at}
	}
	results[3].Status, results[3].Reply = queue.ResultBounced, "550 5.1.1 mailbox unknown"
	results[7].Status, results[7].Reply = queue.ResultFailed, "554 5.7.1 refused, gave up"
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 4 { // four workers, each with a quarter, recorded twice
		wg.Add(1)
		go func() {
			defer wg.Done()
			part := results[w*len(results)/4 : (w+1)*len(results)/4]
			for range 2 {
				if err := e.svc.Record(ctx, id, part); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if _, err := e.svc.Reconcile(ctx, e.q); err != nil {
		t.Fatal(err)
	}

	sending := logs.Lines("campaign sending")
	want := fmt.Sprintf("level=INFO msg=\"campaign sending\" campaign=%d kind=campaign recipients=10", id)
	if len(sending) != 1 || !strings.Contains(sending[0], want) {
		t.Errorf("start logged as %q, want one line with %s\n%s", sending, want, logs)
	}
	sent := logs.Lines("campaign sent")
	want = fmt.Sprintf("level=INFO msg=\"campaign sent\" campaign=%d kind=campaign sent=8 failed=1 bounced=1 skipped=0 took=", id)
	if len(sent) != 1 || !strings.Contains(sent[0], want) {
		t.Errorf("end logged as %q, want one line with %s\n%s", sent, want, logs)
	}
	if strings.Contains(logs.String(), "r00@example.com") {
		t.Errorf("a reader's address is in the log:\n%s", logs)
	}
}

// A digest logs the same two lines, kind digest, when it is built and
// when its last batch is sent.
func TestDigestLogsItsStartAndEndOnce(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	logs := e.logTo()
	news := e.addList(t, "news")
	e.exec(t, `UPDATE lists SET digest = 'daily' WHERE id = ?`, news)
	e.exec(t, `INSERT INTO articles (id, url, title, summary, author, published_at, created_at) VALUES (1, 'https://news.example/a', 'Ferry news', 'The ferry.', 'Maren', ?, ?)`,
		time.Now().Add(-time.Hour).UTC(), time.Now().UTC())
	e.exec(t, `INSERT INTO article_lists (article_id, list_id) VALUES (1, ?)`, news)
	e.addReaders(t, 9, news) // two batches of 7

	d, err := e.svc.RunDigest(ctx, "news")
	if err != nil || d.ID == 0 {
		t.Fatalf("digest = %+v, %v", d, err)
	}
	want := fmt.Sprintf("level=INFO msg=\"campaign sending\" campaign=%d kind=digest recipients=9", d.ID)
	if got := logs.Lines("campaign sending"); len(got) != 1 || !strings.Contains(got[0], want) {
		t.Fatalf("start logged as %q, want one line with %s\n%s", got, want, logs)
	}

	s := &mailer.Sender{Batch: &countingSender{}, Ledger: e.svc.Ledger()}
	for round := 0; ; round++ {
		if round > 10 {
			t.Fatal("the digest's fan-out does not end")
		}
		sends, fanouts := e.q.take(queue.TypeMailSend), e.q.take(queue.TypeCampaignFanout)
		if len(sends) == 0 && len(fanouts) == 0 {
			break
		}
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
	if _, err := e.svc.Reconcile(ctx, e.q); err != nil {
		t.Fatal(err)
	}
	want = fmt.Sprintf("level=INFO msg=\"campaign sent\" campaign=%d kind=digest sent=9 failed=0 bounced=0 skipped=0 took=", d.ID)
	if got := logs.Lines("campaign sent"); len(got) != 1 || !strings.Contains(got[0], want) {
		t.Errorf("end logged as %q, want one line with %s\n%s", got, want, logs)
	}
}

// A pause, a resume and a cancel each log one INFO line naming the
// campaign, so that the log says how a campaign that never logged
// "campaign sent" ended; a refused one (a pause of a paused campaign)
// logs nothing.
func TestCampaignLogsItsPauseResumeAndCancel(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	logs := e.logTo()
	e.addReaders(t, 4, e.addList(t, "a"))
	id := e.create(t, "a")
	e.recipientsKicked(t, id, 4)
	if _, err := e.svc.Pause(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Pause(ctx, id); err == nil {
		t.Fatal("a second pause worked, want a conflict")
	}
	if _, err := e.svc.Resume(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Cancel(ctx, id); err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{"campaign paused", "campaign resumed", "campaign cancelled"} {
		lines := logs.Lines(msg)
		if want := fmt.Sprintf("level=INFO msg=%q campaign=%d", msg, id); len(lines) != 1 || !strings.Contains(lines[0], want) {
			t.Errorf("%s: logged %q, want one line with %s", msg, lines, want)
		}
	}
}
