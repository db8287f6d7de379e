package events_test

import (
	"context"
	"testing"

	"github.com/bulletinhq/bulletin/internal/events"
)

// suppressedTargets returns every target of the suppression list.
func (e *env) suppressedTargets(t *testing.T) []string {
	t.Helper()
	rows, err := e.db.Read.Query(`SELECT target FROM suppressions ORDER BY target`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// An event about no reader suppresses no one it cannot name for sure. A
// report to the VERP address of an erased reader suppresses nothing: what
// it names is whatever its sender wrote, and a bare domain would cut off
// every reader there, another reader's address that reader (who stays
// "confirmed" and gets no mail), and the erased reader's own would be
// stored again after the erasure. A webhook's address that no reader has
// is not suppressed either, even a whole one: it is no address Bulletin
// mails as a reader's (a test send's, a stranger's), and must stay usable.
func TestEventAboutNoReaderSuppressesNoOne(t *testing.T) {
	cases := []struct {
		name string
		ev   events.Event
		want []string // suppressions after
	}{
		{"erased reader's delivery, bare domain", events.Event{Kind: events.BounceHard, Source: events.SourceDSN,
			Status: "5.1.1", Email: "harbour.test", CampaignID: 1, SubscriberID: 999}, nil},
		{"erased reader's delivery, another reader", events.Event{Kind: events.Complaint, Source: events.SourceARF,
			Email: "Kept.Reader@Harbour.test", CampaignID: 1, SubscriberID: 999}, nil},
		{"erased reader's delivery, its own address", events.Event{Kind: events.BounceHard, Source: events.SourceDSN,
			Status: "5.1.1", Email: "erased.one@harbour.test", CampaignID: 1, SubscriberID: 999}, nil},
		{"erased confirmation's reader, another reader", events.Event{Kind: events.BounceHard, Source: events.SourceDSN,
			Status: "5.1.1", Email: "kept.reader@harbour.test", SubscriberID: 999, Key: "m:review-1"}, nil},
		{"webhook, bare domain", events.Event{Kind: events.BounceHard, Source: events.SourcePostmark,
			Status: "5.1.1", Email: "harbour.test", Key: "postmark:review-2"}, nil},
		{"webhook, no address at all", events.Event{Kind: events.Complaint, Source: events.SourceSendGrid,
			Email: "not an address <>", Key: "sendgrid:review-3"}, nil},
		{"webhook, unknown whole address", events.Event{Kind: events.BounceHard, Source: events.SourceMailgun,
			Status: "5.1.1", Email: "Gone.Away@Harbour.test", Key: "mailgun:review-4"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			kept := e.reader(t, "kept.reader@harbour.test")
			tc.ev.CampaignID *= e.campaign
			if _, err := e.store.Record(context.Background(), []events.Event{tc.ev}); err != nil {
				t.Fatal(err)
			}
			if got := e.state(t, kept); got.Suppressed || got.Status != "confirmed" {
				t.Errorf("kept.reader@harbour.test after the event: %+v; want confirmed and not suppressed", got)
			}
			got := e.suppressedTargets(t)
			if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
				t.Errorf("suppressions = %q, want %q", got, tc.want)
			}
			if n := e.count(t, "1"); n != 1 {
				t.Errorf("%d events stored, want 1 (the report is still listed)", n)
			}
		})
	}
}

// A delivery may be reported failed for now (a soft bounce, stored under
// the delivery's key) and then failed for good. The hard bounce is not dropped as the same key: the
// event becomes hard, the reader is bounced and suppressed at once, and
// a second report of either changes nothing more.
func TestHardBounceAfterSoftOfTheSameDelivery(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := e.reader(t, "greylisted@harbour.test")
	soft := events.Event{Kind: events.BounceSoft, Source: events.SourceMailgun, Status: "4.7.1",
		Diagnostic: "451 4.7.1 Greylisted, try again in 5 minutes", Email: "greylisted@harbour.test",
		CampaignID: e.campaign, SubscriberID: id}
	hard := events.Event{Kind: events.BounceHard, Source: events.SourceMailgun, Status: "5.1.1",
		Diagnostic: "550 5.1.1 No such mailbox", Email: "greylisted@harbour.test",
		CampaignID: e.campaign, SubscriberID: id}
	if n, err := e.store.Record(ctx, []events.Event{soft}); err != nil || n != 1 {
		t.Fatalf("soft bounce: %d new, %v", n, err)
	}
	if got := e.state(t, id); got.Status != "confirmed" || got.Suppressed {
		t.Fatalf("after one soft bounce: %+v", got)
	}
	if n, err := e.store.Record(ctx, []events.Event{hard}); err != nil || n != 1 {
		t.Fatalf("hard bounce after the soft one: %d new, %v; want 1", n, err)
	}
	want := readerState{Status: "bounced", Bounces: 1, Subscriptions: "active,active", Delivery: "bounced", Suppressed: true}
	if got := e.state(t, id); got != want {
		t.Errorf("after the hard bounce: %+v, want %+v", got, want)
	}
	if n := e.count(t, "kind = 'bounce_hard' AND status = '5.1.1'"); n != 1 {
		t.Errorf("%d hard events, want 1", n)
	}
	if n := e.count(t, "1"); n != 1 {
		t.Errorf("%d events, want 1 (one per delivery)", n)
	}
	for _, again := range []events.Event{soft, hard} {
		if n, err := e.store.Record(ctx, []events.Event{again}); err != nil || n != 0 {
			t.Errorf("%s reported again: %d new, %v; want 0", again.Kind, n, err)
		}
	}
	if n := e.count(t, "kind = 'bounce_hard'"); n != 1 {
		t.Errorf("after the repeats %d hard events, want 1", n)
	}
}
