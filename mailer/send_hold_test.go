package mailer_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/mailer"
)

// unrecordedMax is what a kill -9 may send twice with the default pool:
// 8 connections, each with at most 4 messages written and not recorded.
const unrecordedMax = mailer.DefaultSMTPConns * 4

// A gatedLedger claims every delivery and records results only once its
// gate opens, in next when it is set: a ledger stuck on a slow disk, or a
// process about to be killed before it writes.
type gatedLedger struct {
	next mailer.Ledger // nil: keep the results in memory
	gate chan struct{} // closed: Record goes on
	fail error         // returned by every Record when set

	mu      sync.Mutex
	results map[int64]string
}

func newGatedLedger(next mailer.Ledger) *gatedLedger {
	return &gatedLedger{next: next, gate: make(chan struct{}), results: map[int64]string{}}
}

func (l *gatedLedger) Claim(ctx context.Context, p *tasks.SendPayload, rs []tasks.Recipient) ([]int64, bool, error) {
	if l.next != nil {
		return l.next.Claim(ctx, p, rs)
	}
	return tasks.DeliveryIDs(rs), false, nil
}

func (l *gatedLedger) Record(ctx context.Context, cid int64, results []tasks.Result) error {
	select {
	case <-l.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	if l.fail != nil {
		return l.fail
	}
	if l.next != nil {
		if err := l.next.Record(ctx, cid, results); err != nil {
			return err
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range results {
		l.results[r.DeliveryID] = r.Status
	}
	return nil
}

func (l *gatedLedger) sent() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.results {
		if s == tasks.ResultSent {
			n++
		}
	}
	return n
}

// poolTo is a pool of the default size sending to srv.
func poolTo(t *testing.T, srv *smtptest.Server) *mailer.SMTP {
	t.Helper()
	cfg, err := mailer.ParseSMTPURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Timeout = 10 * time.Second
	s, err := mailer.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// waitAccepted waits until srv has accepted at least n messages or 5 s
// have passed, then a little longer for any that should not come, and
// returns how many it accepted.
func waitAccepted(srv *smtptest.Server, n int) int {
	for deadline := time.Now().Add(5 * time.Second); srv.Total() < n && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	return srv.Total()
}

// While the ledger cannot record, the pool puts no more messages on the
// wire than it may send twice after a kill -9: a message's place frees
// only once its result is recorded, not when the server answers. Sending
// goes on as soon as the ledger records again, with BDAT and with DATA,
// and with a worker's Redis ledger as with the primary's.
func TestUnrecordedMessagesAreBounded(t *testing.T) {
	const n = 300
	tests := []struct {
		name   string
		opts   []smtptest.Option
		worker bool
	}{
		{"BDAT", nil, false},
		{"DATA", []smtptest.Option{smtptest.WithoutChunking()}, false},
		{"worker on Redis", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.Start(t, append(tt.opts, smtptest.WithDiscard())...)
			var next mailer.Ledger
			if tt.worker {
				q := queuetest.Embedded(t)
				next = &mailer.RedisLedger{Redis: q.Redis(), Enqueuer: q.Client}
			}
			led := newGatedLedger(next)
			s := &mailer.Sender{Batch: poolTo(t, srv), Ledger: led, Chunk: n}
			done := make(chan error, 1)
			go func() { done <- s.Send(context.Background(), sendPayload(n, time.Now())) }()

			if got := waitAccepted(srv, unrecordedMax); got != unrecordedMax {
				t.Errorf("with nothing recorded the server accepted %d messages, want %d", got, unrecordedMax)
			}
			close(led.gate)
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("sending did not resume once the ledger recorded: %d accepted", srv.Total())
			}
			if srv.Total() != n || led.sent() != n {
				t.Errorf("%d accepted, %d recorded sent; want %d of each", srv.Total(), led.sent(), n)
			}
		})
	}
}

// A result that fails to be recorded still frees its message's place:
// the task fails, to be run again, but the pool does not stop.
func TestFailedRecordFreesThePlace(t *testing.T) {
	const n = 200
	srv := smtptest.Start(t, smtptest.WithDiscard())
	led := newGatedLedger(nil)
	led.fail = errors.New("disk full")
	close(led.gate)
	s := &mailer.Sender{Batch: poolTo(t, srv), Ledger: led, Chunk: n}
	done := make(chan error, 1)
	go func() { done <- s.Send(context.Background(), sendPayload(n, time.Now())) }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Send succeeded although no result was recorded")
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("sending stopped at %d messages of %d", srv.Total(), n)
	}
	if srv.Total() != n {
		t.Errorf("%d accepted, want %d", srv.Total(), n)
	}
}
