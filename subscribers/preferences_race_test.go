package subscribers

import (
	"context"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/hooks"
)

// SetPreferences reads the reader for the page's choices before it waits
// for the write connection. A hard bounce committed in that gap must not be
// written over with the status read before it: the reader stays bounced.
func TestPreferencesSaveKeepsABounceCommittedMeanwhile(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	sub, err := s.Create(ctx, &NewSubscriber{Email: "ann@example.com", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}

	// Another writer holds the write connection (one connection in all).
	held, err := s.db.Write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	waitsBefore := s.db.Write.Stats().WaitCount
	done := make(chan error, 1)
	go func() {
		done <- s.SetPreferences(ctx, sub.ID, Preferences{Name: "Ann", Frequency: "weekly", Lists: []string{"news"}})
	}()
	// SetPreferences has read the reader and now waits for the connection.
	deadline := time.Now().Add(5 * time.Second)
	for s.db.Write.Stats().WaitCount == waitsBefore {
		if time.Now().After(deadline) {
			held.Rollback()
			t.Fatal("SetPreferences never waited for the write connection")
		}
		time.Sleep(time.Millisecond)
	}
	// The other writer records a hard bounce, as events.bounceTx does.
	if _, err := held.Exec(`UPDATE subscribers SET status = 'bounced', bounce_count = bounce_count + 1,
		confirm_queued = 0, updated_at = ? WHERE id = ? AND status IN ('pending', 'confirmed')`, time.Now().UTC(), sub.ID); err != nil {
		held.Rollback()
		t.Fatal(err)
	}
	if err := held.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("SetPreferences: %v", err)
	}
	got, err := s.Get(ctx, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusBounced {
		t.Errorf("after a bounce committed during the preferences save the reader is %q, want %q", got.Status, StatusBounced)
	}
}

// A reader who unticked every list is still confirmed; when they then
// unsubscribe, their status changes and the webhook says so, though no
// subscription changes.
func TestUnsubscribeAfterUntickingEveryListIsReported(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	u, evs := "http://127.0.0.1:9/hook", hooks.Types
	if _, err := hooks.NewStore(s.db, hooks.Guard{AllowPrivate: true}).Create(ctx, hooks.Input{URL: &u, Events: &evs}); err != nil {
		t.Fatal(err)
	}
	sub, err := s.Create(ctx, &NewSubscriber{Email: "ann@example.com", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetPreferences(ctx, sub.ID, Preferences{Frequency: "daily"}); err != nil { // every list unticked
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, sub.ID); got.Status != StatusConfirmed {
		t.Fatalf("setup: status %q after unticking every list", got.Status)
	}
	if err := s.Unsubscribe(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, sub.ID); got.Status != StatusUnsubscribed {
		t.Fatalf("status %q after unsubscribe", got.Status)
	}
	var after int
	s.db.Read.QueryRow(`SELECT COUNT(*) FROM webhook_events WHERE type = ?`, hooks.SubscriberUnsubscribed).Scan(&after)
	if after == 0 {
		t.Errorf("the reader went from confirmed to unsubscribed and no webhook event was written (want %s)", hooks.SubscriberUnsubscribed)
	}
}

// An unsubscribe whose statement fails (a cancelled request, a full disk;
// here a trigger) returns the error rather than panicking on its result.
func TestUnsubscribeFailureIsAnError(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	sub, err := s.Create(ctx, &NewSubscriber{Email: "ann@example.com", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Write.Exec(`CREATE TRIGGER review_fail BEFORE UPDATE ON subscriptions BEGIN SELECT RAISE(ABORT, 'disk full'); END`); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if v := recover(); v != nil {
			t.Errorf("Unsubscribe panicked on a failed statement: %v", v)
		}
	}()
	if err := s.Unsubscribe(ctx, sub.ID); err == nil {
		t.Error("Unsubscribe: no error though its update failed")
	}
}
