package campaigns_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/mailer"
)

// stopEnv is an env with a campaign to 40 readers, r00@example.com and
// on, whose fan-out makes one batch, claimed whole, as serve's are.
func stopEnv(t *testing.T) (*env, int64) {
	e := newEnv(t)
	e.svc.PageSize = 500
	e.addReaders(t, 40, e.addList(t, "a"))
	return e, e.create(t, "a")
}

// sendUntil sends the batches ps with s in the background, calls stop
// once srv has taken at least after messages, and returns how many srv
// had taken when the sending returned, after it stayed there a while.
func sendUntil(t *testing.T, s *mailer.Sender, srv *smtptest.Server, ps []*queue.SendPayload, after int, stop func()) int {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		for _, p := range ps {
			if err := s.Send(context.Background(), p); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for deadline := time.Now().Add(30 * time.Second); srv.Total() < after; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d messages sent in 30 s", srv.Total())
		}
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("sending a stopped campaign: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the sending of a stopped campaign went on for 30 s; %d messages sent", srv.Total())
	}
	n := srv.Total()
	time.Sleep(300 * time.Millisecond) // a message sent later would show
	if later := srv.Total(); later != n {
		t.Fatalf("%d messages sent after the sending returned", later-n)
	}
	return n
}

// A campaign paused while its claimed messages wait on a rate-limited
// mail server sends no more of them than the few the pause takes to be
// seen; their claims are given back, and the resumed campaign sends
// every reader's mail exactly once.
func TestPauseStopsMessagesWaitingOnTheRateLimit(t *testing.T) {
	e, id := stopEnv(t)
	ctx := context.Background()
	kicked := e.sendKicked(t, id)
	srv := smtptest.Start(t)
	s := &mailer.Sender{Batch: mailtest.SlowSMTPTo(t, srv.URL(), 20), Ledger: e.svc.Ledger()}

	sent := sendUntil(t, s, srv, kicked, 3, func() {
		if _, err := e.svc.Pause(ctx, id); err != nil {
			t.Fatal(err)
		}
	})
	// 20 a second, and the stop is read within 250 ms: about 8 messages.
	if sent > 15 {
		t.Errorf("%d of 40 messages sent after a pause at 3", sent)
	}
	var queued, held int
	e.db.Read.QueryRow(`SELECT COUNT(*), COUNT(claimed_until) FROM deliveries WHERE campaign_id = ? AND status = 'queued'`, id).Scan(&queued, &held)
	if queued != 40-sent || held != 0 {
		t.Errorf("after the pause: %d deliveries queued (%d claimed), want %d, none claimed", queued, held, 40-sent)
	}
	if c, _ := e.svc.Get(ctx, id); c.Status != campaigns.StatusPaused || c.Stats.Sent != sent {
		t.Errorf("campaign %s with %d sent, want paused with %d", c.Status, c.Stats.Sent, sent)
	}

	if _, err := e.svc.Resume(ctx, id); err != nil {
		t.Fatal(err)
	}
	if n := e.sendAll(t, mailtest.SlowSMTPTo(t, srv.URL(), 0), 1); n != 0 {
		t.Fatalf("%d runs failed after the resume", n)
	}
	for i := range 40 {
		if got := srv.Count(fmt.Sprintf("r%02d@example.com", i)); got != 1 {
			t.Errorf("r%02d got %d copies, want 1", i, got)
		}
	}
	if c, _ := e.svc.Get(ctx, id); c.Status != campaigns.StatusSent || c.Stats.Sent != 40 {
		t.Errorf("campaign %s with %d sent, want sent with 40", c.Status, c.Stats.Sent)
	}
}

// A campaign cancelled while a mail:send task's messages wait on a
// rate-limited mail server sends no more of them than the pause does, and
// those it did not send stay skipped, as the cancel said.
func TestCancelStopsMessagesWaitingOnTheRateLimit(t *testing.T) {
	e, id := stopEnv(t)
	ctx := context.Background()
	if _, err := e.svc.Send(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.fanout(t)
	var ps []*queue.SendPayload
	for _, task := range e.q.take(queue.TypeMailSend) {
		p := payload(t, task)
		ps = append(ps, &p)
	}
	srv := smtptest.Start(t)
	s := &mailer.Sender{Batch: mailtest.SlowSMTPTo(t, srv.URL(), 20), Ledger: e.svc.Ledger(), StopEvery: 20 * time.Millisecond}

	sent := sendUntil(t, s, srv, ps, 3, func() {
		if _, err := e.svc.Cancel(ctx, id); err != nil {
			t.Fatal(err)
		}
	})
	if sent > 10 {
		t.Errorf("%d of 40 messages sent after a cancel at 3", sent)
	}
	c, _ := e.svc.Get(ctx, id)
	if c.Status != campaigns.StatusCancelled || c.Stats.Sent != sent || c.Stats.Skipped != 40-sent {
		t.Errorf("campaign %s with %+v, want cancelled with %d sent and %d skipped", c.Status, c.Stats, sent, 40-sent)
	}
}
