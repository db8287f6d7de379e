package subscribers

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// An erasure blanks the events that named only the person's address, in
// any case or form of its domain, as it does those under their id; another
// address's event keeps its address.
func TestEraseBlanksEventsThatNamedOnlyTheAddress(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	sub, err := s.Create(ctx, &NewSubscriber{Email: "Ada.Lee@bücher.example", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	addEvent(t, s, "e1", "complaint", 0, "ada.lee@BÜCHER.example", at)
	addEvent(t, s, "e2", "bounce_hard", 0, "grace@example.com", at)
	addEvent(t, s, "e3", "bounce_soft", sub.ID, sub.Email, at)
	addEvent(t, s, "e4", "bounce_hard", 0, "ADA.LEE@xn--bcher-kva.example", at)
	if _, err := s.db.Write.Exec(`UPDATE events SET diagnostic = '550 5.1.1 <' || email || '> unknown'`); err != nil {
		t.Fatal(err)
	}

	if err := s.Erase(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	got, err := sqlite.Column[string](s.db.Read.Query(`SELECT dedupe_key || ' ' || email || ' ' || diagnostic FROM events ORDER BY id`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"e1  ", "e2 grace@example.com 550 5.1.1 <grace@example.com> unknown", "e3  ", "e4  "}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events after the erasure (-want +got):\n%s", diff)
	}
}

// An erasure deletes the webhook events about the person that are already
// delivered: their bodies hold the address. One still pending stays to go
// out before subscriber.erased, and another reader's events stay.
func TestEraseDeletesDeliveredWebhookEventsAboutThePerson(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	u, evs := "http://127.0.0.1:9/hook", hooks.Types
	if _, err := hooks.NewStore(s.db, hooks.Guard{AllowPrivate: true}).Create(ctx, hooks.Input{URL: &u, Events: &evs}); err != nil {
		t.Fatal(err)
	}
	ann, err := s.Create(ctx, &NewSubscriber{Email: "ann@example.com", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, &NewSubscriber{Email: "bob@example.com", Status: StatusConfirmed, Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	// Everything so far was delivered; then Ann's name changes, and that
	// event is still pending when she is erased.
	if _, err := s.db.Write.Exec(`UPDATE webhook_attempts SET state = 'delivered'`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, ann.ID, &Patch{Name: ptr("Ann Lee")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Erase(ctx, ann.ID); err != nil {
		t.Fatal(err)
	}
	got, err := sqlite.Column[string](s.db.Read.Query(`SELECT type || ' ' || json_extract(body, '$.data.email') FROM webhook_events ORDER BY id`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"subscriber.created bob@example.com",
		"subscriber.updated ann@example.com",
		"subscriber.erased ann@example.com",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("webhook events after the erasure (-want +got):\n%s", diff)
	}
}
