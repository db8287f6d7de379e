package campaigns_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/mailer"
)

// fullLedger is the SQLite ledger of a database whose disk is full: while
// full, every write of results fails as SQLite's COMMIT then does, and
// nothing is written; claims, reads, go through.
type fullLedger struct {
	mailer.PreClaimer
	mu     sync.Mutex
	full   bool
	failed int
}

func (l *fullLedger) setFull(full bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.full = full
}

func (l *fullLedger) Record(ctx context.Context, cid int64, results []queue.Result) error {
	l.mu.Lock()
	full := l.full
	if full {
		l.failed++
	}
	l.mu.Unlock()
	if full {
		return fmt.Errorf("record results: commit: database or disk is full")
	}
	return l.PreClaimer.Record(ctx, cid, results)
}

// A disk that fills while serve sends a campaign: the results of the
// messages the server accepted are kept, no more mail goes out while they
// cannot be written, a rerun of their batch does not send them again, and
// once there is room they are written and the rest goes out: every reader
// gets the campaign once. They used to be dropped with the batch's error,
// and the reconciler sent thousands again once the disk had room.
func TestResultsHeldWhileTheDiskIsFull(t *testing.T) {
	e, id, kicked := kickedEnv(t, 30)
	if len(kicked) < 2 {
		t.Fatalf("setup: %d batches, want at least 2", len(kicked))
	}
	ledger := &fullLedger{PreClaimer: e.svc.Ledger(), full: true}
	bs := &countingSender{}
	s := &mailer.Sender{Batch: bs, Ledger: ledger, RecordEvery: time.Millisecond}
	sent := func() int {
		bs.mu.Lock()
		defer bs.mu.Unlock()
		n := 0
		for _, c := range bs.counts {
			n += c
		}
		return n
	}

	first := kicked[0]
	err := s.Send(context.Background(), first)
	if !errors.Is(err, mailer.ErrResultsHeld) {
		t.Fatalf("the batch whose results cannot be written returned %v, want ErrResultsHeld", err)
	}
	if n := sent(); n != len(first.Recipients) {
		t.Fatalf("setup: %d messages of the first batch's %d went out", n, len(first.Recipients))
	}

	// The disk still full: its rerun (its task, which carries no claim)
	// sends none of them again, and the next batch waits rather than send
	// what could not be recorded.
	for _, p := range []*queue.SendPayload{asTask(first), kicked[1]} {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		err := s.Send(ctx, p)
		cancel()
		if !errors.Is(err, mailer.ErrResultsHeld) {
			t.Errorf("batch %d, the disk full: %v, want ErrResultsHeld", p.Batch, err)
		}
	}
	if n := sent(); n != len(first.Recipients) {
		t.Fatalf("%d messages went out while their results could not be written, want the first batch's %d", n, len(first.Recipients))
	}
	ledger.mu.Lock()
	tries := ledger.failed
	ledger.mu.Unlock()
	if tries == 0 {
		t.Fatal("setup: no write of results failed")
	}

	// Room again: the results held are written within the retry's wait,
	// and every batch then sends what is left, each reader once.
	ledger.setFull(false)
	flushed, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if !s.Flushed(flushed) {
		t.Fatal("the results held were not written 15 s after the disk had room")
	}
	st := e.deliveryStatuses(t, id)
	for _, r := range first.Recipients {
		if st[r.Email] != "sent" {
			t.Errorf("%s of the first batch is %q once the disk has room, want sent", r.Email, st[r.Email])
		}
	}
	// The rest goes as serve goes on: the batch that waited by its task
	// (its claims were given back with the results held), those not sent
	// yet by serve's own sender, and the first batch's task again, which
	// finds its deliveries sent.
	again := []*queue.SendPayload{asTask(kicked[1])}
	again = append(again, kicked[2:]...)
	for _, p := range append(again, asTask(first)) {
		if err := s.Send(context.Background(), p); err != nil {
			t.Fatalf("batch %d, room again: %v", p.Batch, err)
		}
	}
	for email, n := range bs.counts {
		if n != 1 {
			t.Errorf("%s got %d copies", email, n)
		}
	}
	c, err := e.svc.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs.counts) != 30 || c.Status != campaigns.StatusSent || c.Stats.Sent != 30 {
		t.Errorf("%d readers got mail; campaign %s with %+v", len(bs.counts), c.Status, c.Stats)
	}
}

// asTask is batch p as its mail:send task carries it: without the claim
// taken at fan-out, which serve's own sender alone holds.
func asTask(p *queue.SendPayload) *queue.SendPayload {
	var task queue.SendPayload
	buf, _ := json.Marshal(p)
	json.Unmarshal(buf, &task)
	return &task
}

// Once results are held, the messages of a batch still waiting for the
// mail server (behind its rate limit here) are not handed to it: they are
// given back, as for a pause. They went out by the thousand while every
// write of their results failed, each one more to send again should serve
// stop before the disk has room.
func TestHeldResultsStopTheMessagesWaiting(t *testing.T) {
	e, _, kicked := kickedEnv(t, 30)
	ledger := &fullLedger{PreClaimer: e.svc.Ledger(), full: true}
	srv := smtptest.Start(t)
	s := &mailer.Sender{Batch: mailtest.SlowSMTPTo(t, srv.URL(), 20), Ledger: ledger, RecordEvery: time.Millisecond}
	p := kicked[0]
	if err := s.Send(context.Background(), p); !errors.Is(err, mailer.ErrResultsHeld) {
		t.Fatalf("the batch returned %v, want ErrResultsHeld", err)
	}
	n := srv.Total()
	if n == 0 || n > len(p.Recipients)/2 {
		t.Errorf("%d of the batch's %d messages went out once the first results could not be written, want a few", n, len(p.Recipients))
	}
	if held := s.Held(); held != n {
		t.Errorf("%d results held for %d messages sent", held, n)
	}
}
