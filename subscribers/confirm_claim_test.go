package subscribers

import (
	"context"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// The claim takes a row only while it is as the read before it found it:
// the same request (confirm_sent_at as stored), still flagged, still
// awaiting a mail. A row that changed between the read and the claim
// keeps its state and is not mailed.
func TestClaimTakesOnlyRowsAsRead(t *testing.T) {
	e := newSignupEnv(t)
	signups := NewSignups(e.store, e.q, nil)
	for _, addr := range []string{"ann@example.com", "ben@example.com", "cat@example.com", "dan@example.com"} {
		if err := signups.Signup(context.Background(), &Signup{Email: addr, Lists: []string{"sport"}}); err != nil {
			t.Fatal(err)
		}
	}
	signups.Close()
	items := queuedItems(t, e.q)
	if len(items) != 4 {
		t.Fatalf("%d items queued, want 4", len(items))
	}
	ctx := context.Background()
	rows, err := awaitingConfirm(ctx, e.store.db.Read, items)
	if err != nil {
		t.Fatal(err)
	}
	ann, ben, cat, dan := items[0].ID, items[1].ID, items[2].ID, items[3].ID
	if rows[ann].sentText == "" {
		t.Fatal("the read gave no confirm_sent_at text to compare")
	}
	// After the read: ben asks again (a newer request), cat unsubscribes,
	// dan's flag is cleared (another task sent his mail).
	if _, err := e.store.db.Write.Exec(`UPDATE subscribers SET confirm_sent_at = datetime('now', '+1 second') WHERE id = ?`, ben); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.db.Write.Exec(`UPDATE subscribers SET status = 'unsubscribed' WHERE id = ?`, cat); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.db.Write.Exec(`UPDATE subscribers SET confirm_queued = 0 WHERE id = ?`, dan); err != nil {
		t.Fatal(err)
	}
	var want []claimWant
	for _, it := range items {
		want = append(want, claimWant{ID: it.ID, SentAt: rows[it.ID].sentText, Link: true})
	}
	var claimed map[int64]bool
	err = e.store.db.ConnTx(ctx, func(tx sqlite.Querier) error {
		claimed, err = claimRows(ctx, tx, want)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(claimed) != 1 || !claimed[ann] {
		t.Errorf("claimed %v, want only ann (%d)", claimed, ann)
	}
	for id, flag := range map[int64]int{ann: 2, ben: 1, cat: 1, dan: 0} {
		var got int
		if err := e.store.db.Read.QueryRow(`SELECT confirm_queued FROM subscribers WHERE id = ?`, id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != flag {
			t.Errorf("subscriber %d: confirm_queued = %d, want %d", id, got, flag)
		}
	}
}

// A mail that cannot be put together (its request's lists unreadable)
// fails the task before anything is claimed: the row stays flagged for
// the retry, not claimed and left for the reconciler.
func TestClaimSettlesTheMailBeforeClaiming(t *testing.T) {
	e := newSignupEnv(t)
	signups := NewSignups(e.store, e.q, nil)
	if err := signups.Signup(context.Background(), &Signup{Email: "ann@example.com", Lists: []string{"sport"}}); err != nil {
		t.Fatal(err)
	}
	signups.Close()
	items := queuedItems(t, e.q)
	if _, err := e.store.db.Write.Exec(`INSERT INTO signup_requests (subscriber_id, lists, requested_at) VALUES (?, 'not a list', datetime('now'))`, items[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.claimConfirms(context.Background(), items); err == nil {
		t.Fatal("claiming a mail whose lists cannot be read succeeded")
	}
	var flag int
	if err := e.store.db.Read.QueryRow(`SELECT confirm_queued FROM subscribers WHERE id = ?`, items[0].ID).Scan(&flag); err != nil {
		t.Fatal(err)
	}
	if flag != 1 {
		t.Errorf("confirm_queued = %d after the failed claim, want 1 (still flagged, not claimed)", flag)
	}
}
