package subscribers

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/bulletinhq/bulletin/internal/hooks"
)

// A list's unsubscribe token names its reader and its list; it is not an
// unsubscribe-everything token, nor the other way round, and a token
// altered in any character is refused.
func TestListTokens(t *testing.T) {
	s := NewSigner([]byte("test secret that is long enough!"))
	tok := s.SignList(42, 7)
	if !TokenShaped(tok) {
		t.Fatalf("list token %q is not shaped as a token", tok)
	}
	if id, list, err := s.VerifyList(tok); err != nil || id != 42 || list != 7 {
		t.Fatalf("VerifyList = %d, %d, %v; want 42, 7", id, list, err)
	}
	if _, err := s.Verify(TokenUnsubscribe, tok); !errors.Is(err, ErrBadToken) {
		t.Errorf("a list token passes for unsubscribing from everything: %v", err)
	}
	all := s.Sign(TokenUnsubscribe, 42, 0)
	if _, _, err := s.VerifyList(all); !errors.Is(err, ErrBadToken) {
		t.Errorf("an everything token passes for a list's: %v", err)
	}
	for i := range tok {
		b := []byte(tok)
		b[i] = map[bool]byte{true: 'B', false: 'A'}[b[i] == 'A']
		if _, _, err := s.VerifyList(string(b)); err == nil {
			t.Errorf("token altered at %d passes", i)
		}
	}
	// A list id no token can hold gets the token that ends everything.
	for _, list := range []int64{0, -1, math.MaxUint32 + 1} {
		if got := s.SignList(42, list); got != all {
			t.Errorf("SignList(42, %d) = %q, want the everything token %q", list, got, all)
		}
	}
}

// Leaving one list from its mail ends that list only, and tells the
// webhooks the reader changed; leaving the last list one is on is leaving
// everything; a list deleted since ends everything too.
func TestLeaveList(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	u, evs := "http://127.0.0.1:9/hook", hooks.Types
	if _, err := hooks.NewStore(s.db, hooks.Guard{AllowPrivate: true}).Create(ctx, hooks.Input{URL: &u, Events: &evs}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateList(ctx, &List{Slug: "sport", Name: "Sport", Public: true}); err != nil {
		t.Fatal(err)
	}
	sub, err := s.Create(ctx, &NewSubscriber{Email: "ann@example.com", Status: StatusConfirmed, Lists: []string{"news", "staff", "sport"}})
	if err != nil {
		t.Fatal(err)
	}
	listID := func(slug string) int64 {
		l, err := s.ListBySlug(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		return l.ID
	}
	news, staff, sport := listID("news"), listID("staff"), listID("sport")
	lastEvent := func() string {
		var typ string
		if err := s.db.Read.QueryRow(`SELECT type FROM webhook_events ORDER BY id DESC LIMIT 1`).Scan(&typ); err != nil {
			t.Fatal(err)
		}
		return typ
	}
	events := func() (n int) {
		s.db.Read.QueryRow(`SELECT COUNT(*) FROM webhook_events`).Scan(&n)
		return n
	}
	l, err := s.ListLeaveOf(ctx, sub.ID, news)
	if err != nil || l.List != "News" || l.Left || l.Everything || len(l.Others) != 2 || l.Email != "ann@example.com" {
		t.Fatalf("before leaving: %+v, %v", l, err)
	}

	for range 2 { // twice: the second changes nothing and says nothing
		before := events()
		if err := s.LeaveList(ctx, sub.ID, news); err != nil {
			t.Fatal(err)
		}
		if got := events() - before; got > 1 {
			t.Errorf("%d events for one leave", got)
		}
	}
	if got := lastEvent(); got != hooks.SubscriberUpdated {
		t.Errorf("leaving one list of three emitted %s, want %s", got, hooks.SubscriberUpdated)
	}
	got, err := s.Get(ctx, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusConfirmed || got.UnsubscribedAt != nil || len(got.Lists) != 2 {
		t.Errorf("after leaving News: status %s, unsubscribed at %v, lists %v; want confirmed on staff and sport", got.Status, got.UnsubscribedAt, got.Lists)
	}
	l, err = s.ListLeaveOf(ctx, sub.ID, news)
	if err != nil || !l.Left || l.Everything || len(l.Others) != 2 || l.Others[0] != "Staff" || l.Others[1] != "Sport" {
		t.Errorf("after leaving News: %+v, %v", l, err)
	}

	// A list deleted since the mail: everything ends.
	if _, err := s.db.Write.Exec(`DELETE FROM lists WHERE id = ?`, sport); err != nil {
		t.Fatal(err)
	}
	if err := s.LeaveList(ctx, sub.ID, sport); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, sub.ID); got.Status != StatusUnsubscribed || len(got.Lists) != 0 {
		t.Errorf("leaving a deleted list: status %s, lists %v; want unsubscribed from all", got.Status, got.Lists)
	}
	if got := lastEvent(); got != hooks.SubscriberUnsubscribed {
		t.Errorf("leaving a deleted list emitted %s, want %s", got, hooks.SubscriberUnsubscribed)
	}

	// On one list: leaving it is leaving everything.
	bob, err := s.Create(ctx, &NewSubscriber{Email: "bob@example.com", Status: StatusConfirmed, Lists: []string{"staff"}})
	if err != nil {
		t.Fatal(err)
	}
	if l, err := s.ListLeaveOf(ctx, bob.ID, staff); err != nil || l.Left || len(l.Others) != 0 {
		t.Errorf("bob before leaving: %+v, %v", l, err)
	}
	if err := s.LeaveList(ctx, bob.ID, staff); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, bob.ID); got.Status != StatusUnsubscribed || got.UnsubscribedAt == nil {
		t.Errorf("bob left his only list: status %s, unsubscribed at %v; want unsubscribed", got.Status, got.UnsubscribedAt)
	}
	if l, err := s.ListLeaveOf(ctx, bob.ID, staff); err != nil || !l.Left || !l.Everything {
		t.Errorf("bob after leaving: %+v, %v", l, err)
	}
	if err := s.LeaveList(ctx, 999, staff); !errors.Is(err, errNoSubscriber) {
		t.Errorf("leaving for an unknown reader: %v", err)
	}
}

// Only lists whose mail the reader gets count as lists they keep: a
// subscription still waiting for its confirmation does not, nor does any
// list of a reader who bounced. Leaving the one list they get is leaving
// everything, which ends the confirmation they were asked for too.
func TestLeaveListCountsOnlyListsMailed(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	listID := func(slug string) int64 {
		l, err := s.ListBySlug(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		return l.ID
	}
	news := listID("news")

	cat, err := s.Create(ctx, &NewSubscriber{Email: "cat@example.com", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Write.Exec(`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at)
		VALUES (?, ?, 'pending', '2026-01-01', '2026-01-01')`, cat.ID, listID("staff")); err != nil {
		t.Fatal(err)
	}
	if l, err := s.ListLeaveOf(ctx, cat.ID, news); err != nil || len(l.Others) != 0 {
		t.Errorf("a pending subscription counts as a list kept: %+v, %v", l, err)
	}
	if err := s.LeaveList(ctx, cat.ID, news); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, cat.ID); got.Status != StatusUnsubscribed || len(got.Lists) != 0 {
		t.Errorf("leaving the one list mailed beside a pending one: status %s, lists %v; want unsubscribed from both", got.Status, got.Lists)
	}

	dan, err := s.Create(ctx, &NewSubscriber{Email: "dan@example.com", Status: StatusConfirmed, Lists: []string{"news", "staff"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Write.Exec(`UPDATE subscribers SET status = 'bounced' WHERE id = ?`, dan.ID); err != nil {
		t.Fatal(err)
	}
	if l, err := s.ListLeaveOf(ctx, dan.ID, news); err != nil || len(l.Others) != 0 || l.Left {
		t.Errorf("a bounced reader keeps lists: %+v, %v", l, err)
	}
	if err := s.LeaveList(ctx, dan.ID, news); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, dan.ID); got.Status != StatusBounced || got.UnsubscribedAt == nil || len(got.Lists) != 0 {
		t.Errorf("a bounced reader leaving a list: status %s, unsubscribed at %v, lists %v; want bounced, asked to leave, on none",
			got.Status, got.UnsubscribedAt, got.Lists)
	}
	if l, err := s.ListLeaveOf(ctx, dan.ID, news); err != nil || !l.Everything {
		t.Errorf("a bounced reader after leaving: %+v, %v", l, err)
	}
}
