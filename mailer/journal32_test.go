package mailer

import (
	"context"
	"errors"
	"os"
	"testing"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
)

// Closing keeps what the journal held when its replay failed, and results
// not committed yet: only what is known committed is emptied.
func TestJournalCloseKeepsWhatIsNotCommitted(t *testing.T) {
	sent := func(id int64) tasks.Result {
		return tasks.Result{DeliveryID: id, SubscriberID: id, Status: tasks.ResultSent, At: at}
	}
	j, path := openJournal(t)
	mustAdd(t, j, 7, sent(1))
	if _, err := j.Replay(context.Background(), func(context.Context, int64, []tasks.Result) error {
		return context.DeadlineExceeded
	}); err == nil {
		t.Fatal("replay succeeded with a failing ledger")
	}
	j.Close()
	if got := replayed(t, path); len(got[7]) != 1 {
		t.Fatalf("after a failed replay and a close, the journal holds %v, want result 1", got)
	}

	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Replay(context.Background(), func(context.Context, int64, []tasks.Result) error { return nil }); err != nil {
		t.Fatal(err)
	}
	a := mustAdd(t, j, 7, sent(2))
	mustAdd(t, j, 7, sent(3))
	j.committed(a, 1) // 3 is not
	j.Close()
	if got := replayed(t, path); len(got[7]) != 2 {
		t.Errorf("after a close with a result not committed, the journal holds %v, want results 2 and 3", got)
	}

	j, err = OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Replay(context.Background(), func(context.Context, int64, []tasks.Result) error { return nil }); err != nil {
		t.Fatal(err)
	}
	f := mustAdd(t, j, 7, sent(4))
	j.failed(f) // the ledger's write failed: committed all the same
	j.committed(f, 1)
	j.Close()
	if got := replayed(t, path); len(got[7]) != 1 {
		t.Errorf("after a close with a result whose write failed, the journal holds %v, want result 4", got)
	}
}

// Once every result is committed, Close empties the journal.
func TestJournalCloseEmptiesWhatIsCommitted(t *testing.T) {
	sent := func(id int64) tasks.Result {
		return tasks.Result{DeliveryID: id, SubscriberID: id, Status: tasks.ResultSent, At: at}
	}
	for _, mapped := range []bool{true, false} {
		if !mapped {
			mapFileFunc = func(*os.File, int) ([]byte, error) { return nil, errors.ErrUnsupported }
			t.Cleanup(func() { mapFileFunc = mapJournal })
		}
		j, path := openJournal(t)
		if _, err := j.Replay(context.Background(), func(context.Context, int64, []tasks.Result) error { return nil }); err != nil {
			t.Fatal(err)
		}
		for id := range int64(3) {
			j.committed(mustAdd(t, j, 7, sent(id+1)), 1)
		}
		j.Close()
		if got := replayed(t, path); len(got) != 0 {
			t.Errorf("mapped %v: after a clean close the journal holds %v, want nothing", mapped, got)
		}
	}
}
