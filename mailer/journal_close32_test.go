package mailer_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/mailer"
)

// memLedger claims every delivery and keeps the results it records, or
// fails every write when fail is set.
type memLedger struct {
	fail    bool
	mu      sync.Mutex
	results map[int64]string
}

func (l *memLedger) Claim(_ context.Context, _ *tasks.SendPayload, rs []tasks.Recipient) ([]int64, bool, error) {
	return tasks.DeliveryIDs(rs), false, nil
}

func (l *memLedger) Record(_ context.Context, _ int64, results []tasks.Result) error {
	if l.fail {
		return errors.New("database gone")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.results == nil {
		l.results = map[int64]string{}
	}
	for _, r := range results {
		l.results[r.DeliveryID] = r.Status
	}
	return nil
}

// startJournal opens the journal at path and replays it as serve's start
// does, returning how many results the replay found.
func startJournal(t *testing.T, path string) (*mailer.Journal, int) {
	t.Helper()
	j, err := mailer.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := j.Replay(context.Background(), func(context.Context, int64, []tasks.Result) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	return j, n
}

// A clean stop leaves the journal empty: every result it held was
// committed. The next start found them all again and logged "recorded the
// results a stopped serve had read from the SMTP server and not yet
// written", which read as a recovery from a crash.
func TestJournalEmptyAfterACleanStop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sent.journal")
	j, _ := startJournal(t, path)
	l := &memLedger{}
	s := &mailer.Sender{Batch: smtpTo(t, smtptest.Start(t)), Ledger: l, Journal: j, Chunk: 5}
	if err := s.Send(context.Background(), sendPayload(20, time.Now())); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if len(l.results) != 20 {
		t.Fatalf("the ledger recorded %d results, want 20", len(l.results))
	}
	j, n := startJournal(t, path)
	j.Close()
	if n != 0 {
		t.Errorf("the next start replayed %d results that were all committed, want none", n)
	}
}

// Results whose write to the ledger failed stay in the journal after the
// stop, for the next start to record: those of the last writes, in the
// files no swap has emptied since (a swap empties a file whatever became
// of its results, see Journal.committed).
func TestJournalKeepsWhatTheLedgerFailedToWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sent.journal")
	j, _ := startJournal(t, path)
	s := &mailer.Sender{Batch: smtpTo(t, smtptest.Start(t)), Ledger: &memLedger{fail: true}, Journal: j, Chunk: 5, RecordPatience: 100 * time.Millisecond}
	if err := s.Send(context.Background(), sendPayload(20, time.Now())); err == nil {
		t.Fatal("send succeeded with a ledger that fails")
	}
	j.Close()
	j, n := startJournal(t, path)
	j.Close()
	if n == 0 {
		t.Error("the next start replayed nothing: the results of the failed writes were emptied at the stop")
	}
}
