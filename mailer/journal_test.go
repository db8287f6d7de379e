package mailer

import (
	"cmp"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	tasks "github.com/bulletinhq/bulletin/internal/queue"
)

// openJournal opens a journal in a fresh folder and returns it with its
// path.
func openJournal(t *testing.T) (*Journal, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sent.journal")
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j, path
}

// replayed opens the journal at path as a restarted process would and
// returns what Replay hands over, by campaign, in delivery order.
func replayed(t *testing.T, path string) map[int64][]tasks.Result {
	t.Helper()
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	got := map[int64][]tasks.Result{}
	_, err = j.Replay(context.Background(), func(_ context.Context, cid int64, rs []tasks.Result) error {
		got[cid] = append(got[cid], rs...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, rs := range got { // the two files come in either order
		slices.SortFunc(rs, func(a, b tasks.Result) int { return cmp.Compare(a.DeliveryID, b.DeliveryID) })
	}
	return got
}

// fileSizes returns the bytes of whole records at the start of each of
// the journal's files (a mapped file is longer, zeros after its records).
func fileSizes(t *testing.T, path string) [2]int64 {
	t.Helper()
	var sizes [2]int64
	for i := range sizes {
		data, err := os.ReadFile(path + []string{".0", ".1"}[i])
		if err != nil {
			t.Fatal(err)
		}
		sizes[i] = int64(recordsLen(data))
	}
	return sizes
}

func mustAdd(t *testing.T, j *Journal, cid int64, r tasks.Result) journaled {
	t.Helper()
	f, err := j.add(cid, r)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

var at = time.Date(2026, 11, 30, 21, 0, 0, 123456789, time.UTC)

// Final results come back whole, in order, by campaign, with their
// replies (clipped as the ledger clips them); results to be retried are
// not journaled. The last record, cut short by the kill, is ignored, and
// so is a file's tail after damage. Replay leaves the journal empty.
func TestJournalReplayIgnoresATornRecord(t *testing.T) {
	long := strings.Repeat("x", 600)
	tests := []struct {
		name string
		cut  func(data []byte) []byte // what the kill left of the file
		want int                      // results of the 4 journaled that come back
	}{
		{"whole", func(d []byte) []byte { return d }, 4},
		{"last record torn", func(d []byte) []byte { return d[:len(d)-3] }, 3},
		{"only the last head", func(d []byte) []byte { return d[:len(d)-journalHead-3+5] }, 3},
		{"second record damaged", func(d []byte) []byte { d[journalHead+2] ^= 1; return d }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, path := openJournal(t)
			all := []struct {
				cid int64
				r   tasks.Result
			}{
				{7, tasks.Result{DeliveryID: 101, SubscriberID: 1, Status: tasks.ResultSent, At: at}},
				{7, tasks.Result{DeliveryID: 102, SubscriberID: 2, Status: tasks.ResultBounced, Reply: "550 5.1.1 no such user", At: at}},
				{7, tasks.Result{DeliveryID: 103, SubscriberID: 3, Status: tasks.ResultRetry, Reply: "451 later", At: at}},
				{9, tasks.Result{DeliveryID: 201, SubscriberID: 4, Status: tasks.ResultFailed, Reply: long, At: at}},
				{7, tasks.Result{DeliveryID: 104, SubscriberID: 5, Status: tasks.ResultSent, RelayID: "4Xb9Zk1Qz3z5", At: at.Add(time.Millisecond)}},
			}
			want := map[int64][]tasks.Result{}
			n := 0
			for _, e := range all {
				f := mustAdd(t, j, e.cid, e.r)
				if e.r.Status == tasks.ResultRetry {
					if f != notJournaled {
						t.Errorf("a result to be retried was journaled")
					}
					continue
				}
				if n++; n > tt.want {
					continue
				}
				r := e.r
				r.Reply = r.Reply[:min(len(r.Reply), journalReply)]
				want[e.cid] = append(want[e.cid], r)
			}
			file := path + ".0"
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			data = data[:recordsLen(data)] // the zeros after a map's records
			if err := os.WriteFile(file, tt.cut(data), 0o600); err != nil {
				t.Fatal(err)
			}
			j.Close()
			got := replayed(t, path)
			if len(want) == 0 {
				want = map[int64][]tasks.Result{}
			}
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Errorf("replayed (-want +got):\n%s", diff)
			}
			if sizes := fileSizes(t, path); sizes != [2]int64{} {
				t.Errorf("journal files of %v bytes after the replay, want empty", sizes)
			}
		})
	}
}

// The journal writes to one file while the other holds older results;
// once all of those are committed, the older file is emptied and the two
// swap, so a journal holds only what is not committed and what came
// since.
func TestJournalEmptiesAFileOnceItsResultsAreCommitted(t *testing.T) {
	j, path := openJournal(t)
	sent := func(id int64) tasks.Result {
		return tasks.Result{DeliveryID: id, SubscriberID: id, Status: tasks.ResultSent, At: at}
	}
	a, b := mustAdd(t, j, 7, sent(1)), mustAdd(t, j, 7, sent(2))
	if a != 0 || b != 0 {
		t.Fatalf("first results in files %d and %d, want 0", a, b)
	}
	j.committed(a, 1) // the other file holds nothing: swap
	c := mustAdd(t, j, 7, sent(3))
	if c != 1 {
		t.Fatalf("after a commit the journal writes to file %d, want 1", c)
	}
	if s := fileSizes(t, path); s[0] != 2*journalHead || s[1] != journalHead {
		t.Fatalf("file sizes %v, want 2 records and 1", s)
	}
	j.committed(c, 1) // file 0 still holds 2, not committed
	if s := fileSizes(t, path); s[0] != 2*journalHead {
		t.Fatalf("file 0 of %d bytes emptied while a result in it was not committed", s[0])
	}
	j.committed(b, 1) // now it is: emptied, and written to
	d := mustAdd(t, j, 7, sent(4))
	if d != 0 {
		t.Fatalf("journal writes to file %d, want 0", d)
	}
	if s := fileSizes(t, path); s != [2]int64{journalHead, journalHead} {
		t.Fatalf("file sizes %v, want one record each", s)
	}
	j.Close()
	want := map[int64][]tasks.Result{7: {sent(3), sent(4)}}
	if diff := gocmp.Diff(want, replayed(t, path)); diff != "" {
		t.Errorf("replayed (-want +got):\n%s", diff)
	}
}

// A ledger that fails keeps the journal for the next start.
func TestJournalKeptWhenTheReplayFails(t *testing.T) {
	j, path := openJournal(t)
	mustAdd(t, j, 7, tasks.Result{DeliveryID: 1, SubscriberID: 1, Status: tasks.ResultSent, At: at})
	_, err := j.Replay(context.Background(), func(context.Context, int64, []tasks.Result) error {
		return context.DeadlineExceeded
	})
	if err == nil {
		t.Fatal("replay succeeded with a failing ledger")
	}
	if s := fileSizes(t, path); s[0] != journalHead {
		t.Errorf("journal of %d bytes after a failed replay, want the record kept", s[0])
	}
}

// A ledger far behind fills the map of the file written to: it grows, and
// every result comes back.
func TestJournalGrowsPastItsMap(t *testing.T) {
	j, path := openJournal(t)
	if j.mem[0] == nil {
		t.Skip("no shared maps on this system")
	}
	n := journalMap/journalHead + 100
	for i := range n {
		mustAdd(t, j, 7, tasks.Result{DeliveryID: int64(i + 1), SubscriberID: 1, Status: tasks.ResultSent, At: at})
	}
	if len(j.mem[0]) <= journalMap {
		t.Fatalf("map of %d bytes after %d records, want it grown", len(j.mem[0]), n)
	}
	j.Close()
	if got := replayed(t, path)[7]; len(got) != n || got[n-1].DeliveryID != int64(n) {
		t.Errorf("%d results replayed, want %d", len(got), n)
	}
}

// Where files cannot be mapped the journal appends with write(2), after
// the records a mapped journal left (not after its zeros), and replays the
// same.
func TestJournalWithoutMaps(t *testing.T) {
	j, path := openJournal(t)
	sent := func(id int64) tasks.Result {
		return tasks.Result{DeliveryID: id, SubscriberID: id, Status: tasks.ResultSent, At: at}
	}
	mustAdd(t, j, 7, sent(1))
	mustAdd(t, j, 7, sent(2))
	j.Close()

	mapFileFunc = func(*os.File, int) ([]byte, error) { return nil, errors.ErrUnsupported }
	t.Cleanup(func() { mapFileFunc = mapJournal })
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if j.mem[0] != nil || j.mem[1] != nil {
		t.Fatal("journal mapped with maps refused")
	}
	mustAdd(t, j, 7, sent(3))
	j.Close()
	if fi, err := os.Stat(path + ".0"); err != nil || fi.Size() != 3*journalHead {
		t.Fatalf("file of %v bytes (%v), want 3 records and nothing else", fi.Size(), err)
	}
	want := map[int64][]tasks.Result{7: {sent(1), sent(2), sent(3)}}
	if diff := gocmp.Diff(want, replayed(t, path)); diff != "" {
		t.Errorf("replayed (-want +got):\n%s", diff)
	}
}

// Records a damaged one hid from a replay are not read after the records
// of the next run, even when those end exactly where the damage began.
func TestJournalForgetsWhatDamageHid(t *testing.T) {
	j, path := openJournal(t)
	sent := func(id int64) tasks.Result {
		return tasks.Result{DeliveryID: id, SubscriberID: id, Status: tasks.ResultSent, At: at}
	}
	for id := range int64(4) {
		mustAdd(t, j, 7, sent(id+1))
	}
	j.Close()
	data, err := os.ReadFile(path + ".0")
	if err != nil {
		t.Fatal(err)
	}
	data[journalHead+2] ^= 1 // the second record: 3 and 4 are out of reach
	if err := os.WriteFile(path+".0", data, 0o600); err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(map[int64][]tasks.Result{7: {sent(1)}}, replayed(t, path)); diff != "" {
		t.Fatalf("first replay (-want +got):\n%s", diff)
	}
	j, err = OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	mustAdd(t, j, 8, sent(11)) // two records of the same size as the first two
	mustAdd(t, j, 8, sent(12))
	j.Close()
	if diff := gocmp.Diff(map[int64][]tasks.Result{8: {sent(11), sent(12)}}, replayed(t, path)); diff != "" {
		t.Errorf("second replay (-want +got):\n%s", diff)
	}
}
