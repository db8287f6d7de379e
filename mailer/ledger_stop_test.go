package mailer_test

import (
	"context"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	tasks "github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/mailer"
)

// A worker whose claimed messages wait on a rate-limited mail server
// sends none of them once the primary sets the campaign's stop flag, but
// the few the stop takes to be read; those it did not send go back to the
// primary as to be retried, which gives their claims back, and are not
// remembered as done, so the task run again after a resume sends them.
func TestWorkerStopsMessagesWaitingOnTheRateLimit(t *testing.T) {
	q := queuetest.Embedded(t)
	srv := smtptest.Start(t)
	ledger := &mailer.RedisLedger{Redis: q.Redis(), Enqueuer: q.Client}
	s := &mailer.Sender{Batch: mailtest.SlowSMTPTo(t, srv.URL(), 20), Ledger: ledger, StopEvery: 20 * time.Millisecond}
	p := sendPayload(40, time.Now())

	done := sendInBackground(t, s, p, srv, 3)
	if err := q.Redis().Set(context.Background(), tasks.StopKey(p.CampaignID), "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("a stopped batch: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("a stopped batch went on for 30 s; %d sent", srv.Total())
	}
	sent := srv.Total()
	if sent > 10 {
		t.Errorf("%d of 40 messages sent after the stop at 3", sent)
	}
	got, _ := recorded(t, q)
	var retry int
	for _, st := range got {
		if st == tasks.ResultRetry {
			retry++
		}
	}
	if len(got) != 40 || retry != 40-sent {
		t.Errorf("%d results queued for the primary, %d to retry; want 40, %d to retry", len(got), retry, 40-sent)
	}

	if err := q.Redis().Del(context.Background(), tasks.StopKey(p.CampaignID)).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	eachOnce(t, srv, p)
}
