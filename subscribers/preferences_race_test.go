package subscribers

import (
	"context"
	"slices"
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

// Unticking every list on the preferences page is leaving everything:
// the reader is unsubscribed (not confirmed on nothing), the webhook says
// so, a signup waiting for its click ends, and ticking a list again
// brings them back confirmed. One an admin added to a list since the
// page was read stays as they are.
func TestUntickingEveryListUnsubscribes(t *testing.T) {
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
	if _, err := s.db.Write.Exec(`INSERT INTO signup_requests (subscriber_id, lists, requested_at)
		VALUES (?, '["news"]', '2026-12-01T00:00:00Z')`, sub.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPreferences(ctx, sub.ID, Preferences{Name: "Ann", Frequency: "weekly"}); err != nil { // every list unticked
		t.Fatal(err)
	}
	got, _ := s.Get(ctx, sub.ID)
	if got.Status != StatusUnsubscribed || got.UnsubscribedAt == nil || len(got.Lists) != 0 {
		t.Errorf("after unticking every list: status %q, unsubscribed_at %v, lists %q; want unsubscribed, a time, none", got.Status, got.UnsubscribedAt, got.Lists)
	}
	if got.Name != "Ann" || got.Frequency != "weekly" {
		t.Errorf("the name and frequency saved with it are %q, %q; want Ann, weekly", got.Name, got.Frequency)
	}
	var events, requests int
	s.db.Read.QueryRow(`SELECT COUNT(*) FROM webhook_events WHERE type = ?`, hooks.SubscriberUnsubscribed).Scan(&events)
	s.db.Read.QueryRow(`SELECT COUNT(*) FROM signup_requests WHERE subscriber_id = ?`, sub.ID).Scan(&requests)
	if events != 1 || requests != 0 {
		t.Errorf("%d %s events and %d waiting signups left; want 1 and 0", events, hooks.SubscriberUnsubscribed, requests)
	}

	if err := s.SetPreferences(ctx, sub.ID, Preferences{Name: "Ann", Frequency: "weekly", Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, sub.ID); got.Status != StatusConfirmed || !slices.Equal(got.Lists, []string{"news"}) {
		t.Errorf("ticking news again: status %q on %q, want confirmed on news", got.Status, got.Lists)
	}
}

// TestUntickingKeepsAListAddedMeanwhile: a list an admin put the reader on
// after the page was read is not among the lists the form says it showed,
// so a save with every box unticked leaves it, and the reader stays
// confirmed on it.
func TestUntickingKeepsAListAddedMeanwhile(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	sub, err := s.Create(ctx, &NewSubscriber{Email: "bo@example.com", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	// A private list the reader joins after the page's read: it is not
	// among the lists the save leaves.
	if err := s.CreateList(ctx, &List{Slug: "desk", Name: "Desk"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Write.Exec(`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at)
		SELECT ?, id, 'active', '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z' FROM lists WHERE slug = 'desk'`, sub.ID); err != nil {
		t.Fatal(err)
	}
	// The page showed news alone; the save unticks it.
	if err := s.SetPreferences(ctx, sub.ID, Preferences{Frequency: "daily", Shown: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, sub.ID); got.Status != StatusConfirmed || !slices.Equal(got.Lists, []string{"desk"}) {
		t.Errorf("unticking news while on desk too: status %q on %q, want confirmed on desk", got.Status, got.Lists)
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
