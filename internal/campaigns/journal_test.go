package campaigns_test

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/mailer"
)

// killedLedger is serve's ledger in a process killed before its results
// write commits: claims work, and Record never returns until the test
// lets it fail.
type killedLedger struct {
	mailer.PreClaimer
	killed chan struct{}
}

func (l killedLedger) Record(context.Context, int64, []queue.Result) error {
	<-l.killed
	return errors.New("killed before the commit")
}

// copyJournal copies the journal's files at path to a new folder, as a
// kill -9 leaves them, and returns the copy's path.
func copyJournal(t *testing.T, path string) string {
	t.Helper()
	to := filepath.Join(t.TempDir(), "sent.journal")
	for _, ext := range []string{".0", ".1"} {
		data, err := os.ReadFile(path + ext)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to+ext, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return to
}

// The results a kill -9 kept from SQLite come back from the journal at
// the next start: sent and bounced as the server answered, the campaign
// finished, each bounce counted once; replaying again, or recording what
// the recorder had recorded too, changes nothing.
func TestJournalReplayRecordsWhatAKillLost(t *testing.T) {
	e, id, kicked := kickedEnv(t, 4)
	ctx := context.Background()
	jpath := filepath.Join(t.TempDir(), "sent.journal")
	j, err := mailer.OpenJournal(jpath)
	if err != nil {
		t.Fatal(err)
	}
	bs := &countingSender{fail: map[string]error{"r03@example.com": &mailer.SendError{Code: 550, Message: "5.1.1 no such user", Permanent: true}}}
	l := killedLedger{e.svc.Ledger(), make(chan struct{})}
	s := &mailer.Sender{Batch: bs, Ledger: l, Journal: j, RecordPatience: time.Millisecond}
	var wg sync.WaitGroup
	for _, p := range kicked {
		wg.Go(func() { s.Send(ctx, p) })
	}
	t.Cleanup(func() { close(l.killed); wg.Wait(); j.Close() })
	// The kill: once the four answers are read, whatever the recorder did.
	var path string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		path = copyJournal(t, jpath)
		n := 0
		probe, err := mailer.OpenJournal(copyJournal(t, path))
		if err != nil {
			t.Fatal(err)
		}
		probe.Replay(ctx, func(_ context.Context, _ int64, rs []queue.Result) error { n += len(rs); return nil })
		probe.Close()
		if n == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the journal holds %d results of 4", n)
		}
	}
	if diff := cmp.Diff(map[string]string{"r00@example.com": "queued", "r01@example.com": "queued", "r02@example.com": "queued", "r03@example.com": "queued"}, e.deliveryStatuses(t, id)); diff != "" {
		t.Fatalf("before the replay (-want +got):\n%s", diff)
	}

	var replayed []queue.Result
	for range 2 { // two starts: the second finds the journal empty
		restarted, err := mailer.OpenJournal(path)
		if err != nil {
			t.Fatal(err)
		}
		_, err = restarted.Replay(ctx, func(ctx context.Context, cid int64, rs []queue.Result) error {
			if cid != id {
				t.Errorf("replayed campaign %d, want %d", cid, id)
			}
			replayed = append(replayed, rs...)
			if err := e.svc.Record(ctx, cid, rs); err != nil {
				return err
			}
			return e.svc.Record(ctx, cid, rs) // as if the recorder had committed them too
		})
		restarted.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(replayed) != 4 {
		t.Errorf("replayed %d results, want 4", len(replayed))
	}
	want := map[string]string{"r00@example.com": "sent", "r01@example.com": "sent", "r02@example.com": "sent", "r03@example.com": "bounced"}
	if diff := cmp.Diff(want, e.deliveryStatuses(t, id)); diff != "" {
		t.Errorf("after the replay (-want +got):\n%s", diff)
	}
	var sid int64
	if err := e.db.Read.QueryRow(`SELECT id FROM subscribers WHERE email = 'r03@example.com'`).Scan(&sid); err != nil {
		t.Fatal(err)
	}
	if got := e.subscriberState(t, sid); got.Bounces != 1 {
		t.Errorf("bounce counted %d times, want once", got.Bounces)
	}
	var reply string
	if err := e.db.Read.QueryRow(`SELECT last_error FROM deliveries WHERE campaign_id = ? AND subscriber_id = ?`, id, sid).Scan(&reply); err != nil {
		t.Fatal(err)
	}
	if reply == "" {
		t.Error("the bounce's reply was not kept")
	}
	c, err := e.svc.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != campaigns.StatusSent || c.Stats.Sent != 3 || c.Stats.Bounced != 1 {
		t.Errorf("campaign %s with %+v, want sent with 3 sent and 1 bounced", c.Status, c.Stats)
	}
	bs.mu.Lock() // the sender's goroutines wrote them
	counts := maps.Clone(bs.counts)
	bs.mu.Unlock()
	if diff := cmp.Diff(map[string]int{"r00@example.com": 1, "r01@example.com": 1, "r02@example.com": 1}, counts); diff != "" {
		t.Errorf("copies (-want +got):\n%s", diff)
	}
}
