package subscribers

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// addEvent stores a bounce or complaint as the events package would, with
// subscriber_id NULL when sub is 0 (an event that named only an address).
func addEvent(t *testing.T, s *Store, key, kind string, sub int64, email string, at time.Time) {
	t.Helper()
	var sid any
	if sub != 0 {
		sid = sub
	}
	if _, err := s.db.Write.Exec(`INSERT INTO events (kind, source, subscriber_id, email, dedupe_key, at, recorded_at)
		VALUES (?, 'arf', ?, ?, ?, ?, ?)`, kind, sid, email, key, at, at); err != nil {
		t.Fatal(err)
	}
}

// exportedEmails is the address and kind of each event in x, in order.
func exportedEmails(x *Export) []string {
	var out []string
	for _, e := range x.Events {
		out = append(out, e.Type+" "+e.Email)
	}
	return out
}

// A person's export holds the events recorded for their address without
// a reader (a complaint after their row was gone, a webhook naming only
// the address), whatever case or form of the domain the event wrote it
// in: the address is compared as signup normalises it. Another address's
// stays out, and an event that names the reader and their address is
// there once.
func TestExportOfHasEventsForTheirAddress(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	sub, err := s.Create(ctx, &NewSubscriber{Email: "Ada.Lee@bücher.example", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	if sub.Email != "Ada.Lee@xn--bcher-kva.example" {
		t.Fatalf("stored address %q", sub.Email)
	}
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	addEvent(t, s, "e1", "complaint", 0, "ada.lee@BÜCHER.example", at)
	addEvent(t, s, "e2", "bounce_hard", 0, "grace@example.com", at)
	addEvent(t, s, "e3", "bounce_soft", sub.ID, sub.Email, at)
	addEvent(t, s, "e4", "bounce_hard", 0, "ADA.LEE@xn--bcher-kva.example", at)
	addEvent(t, s, "e5", "bounce_hard", 0, "ada.leex@xn--bcher-kva.example", at)
	addEvent(t, s, "e6", "bounce_hard", 0, "", at)

	x, err := s.ExportOf(ctx, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"complaint ada.lee@BÜCHER.example",
		"bounce " + sub.Email,
		"bounce ADA.LEE@xn--bcher-kva.example",
	}
	if diff := cmp.Diff(want, exportedEmails(x)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if len(x.Events) == 3 && (x.Events[0].At != at || x.Events[0].CampaignID != nil || x.Events[0].Source != "arf") {
		t.Errorf("the address's event is exported as %+v", x.Events[0])
	}
}

// An address a reader had before an editor gave them another is kept in
// the events recorded for them under it: the events recorded for that
// address without a reader (a complaint that came after the change, when
// the address was no one's) are theirs too.
func TestExportOfHasEventsForAnEarlierAddress(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	sub, err := s.Create(ctx, &NewSubscriber{Email: "lee@old.example", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	addEvent(t, s, "e1", "bounce_soft", sub.ID, "lee@old.example", at)
	if _, err := s.Update(ctx, sub.ID, &Patch{Email: ptr("lee@new.example")}); err != nil {
		t.Fatal(err)
	}
	addEvent(t, s, "e2", "complaint", 0, "Lee@OLD.example", at)
	addEvent(t, s, "e3", "complaint", 0, "lee@other.example", at)

	x, err := s.ExportOf(ctx, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"bounce lee@old.example", "complaint Lee@OLD.example"}
	if diff := cmp.Diff(want, exportedEmails(x)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}
