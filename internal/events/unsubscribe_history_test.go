package events_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/subscribers"
)

// A provider's unsubscribe is kept under its reader, with its source,
// time and campaign, for their page; and nothing that counts bounces and
// complaints counts it: the sending health, the events listing (all
// kinds, or one campaign's), the counter, and the soft-bounce rule (two
// soft-bounced mails and an unsubscribe between them are not three).
func TestUnsubscribeIsRecordedAndCountsNowhere(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	reg := prometheus.NewRegistry()
	e.store.SetMetrics(events.NewMetrics(reg))
	ann := e.reader(t, "ann@example.com")
	bob := e.reader(t, "bob@example.com")
	cat := e.reader(t, "cat@example.com")
	dan := e.reader(t, "dan@example.com")
	second := e.exec(t, `INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('Second', 'sent', datetime('now'), datetime('now'))`)
	third := e.exec(t, `INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('Third', 'sent', datetime('now'), datetime('now'))`)
	clicked := time.Now().UTC().Add(time.Minute).Truncate(time.Second)
	evs := []events.Event{
		{Kind: events.Unsubscribe, Source: events.SourceSendGrid, CampaignID: e.campaign, SubscriberID: ann, Key: "sendgrid:ann", At: clicked},
		{Kind: events.BounceHard, Source: events.SourceDSN, Status: "5.1.1", CampaignID: e.campaign, SubscriberID: bob},
		{Kind: events.Complaint, Source: events.SourceSES, CampaignID: e.campaign, SubscriberID: cat},
		{Kind: events.BounceSoft, Source: events.SourceDSN, Status: "4.2.2", CampaignID: e.campaign, SubscriberID: dan},
		{Kind: events.Unsubscribe, Source: events.SourceMailgun, CampaignID: second, SubscriberID: dan, Key: "mailgun:dan"},
		{Kind: events.BounceSoft, Source: events.SourceDSN, Status: "4.2.2", CampaignID: third, SubscriberID: dan},
	}
	for range 2 { // a provider retrying
		for _, ev := range evs {
			if _, err := e.store.Record(ctx, []events.Event{ev}); err != nil {
				t.Fatal(err)
			}
		}
	}

	got, more, err := e.store.History(ctx, ann, events.HistoryLimit)
	if err != nil {
		t.Fatal(err)
	}
	want := []events.Past{{Kind: events.Unsubscribe, Source: events.SourceSendGrid, CampaignID: e.campaign, Campaign: "Hello",
		Email: "ann@example.com", At: clicked}}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(events.Past{}, "ID", "RecordedAt")); diff != "" || more {
		t.Errorf("ann's history (-want +got), more %t:\n%s", more, diff)
	}
	if n := e.count(t, "kind = 'unsubscribe'"); n != 2 {
		t.Errorf("%d unsubscribes stored, want 2 (each once)", n)
	}
	if st := e.state(t, dan); st.Status != "unsubscribed" || st.Suppressed {
		t.Errorf("dan, with two soft-bounced mails and an unsubscribe: %+v, want unsubscribed and not suppressed", st)
	}

	h, err := e.store.Health(ctx, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if h.Bounces != 3 || h.Complaints != 1 {
		t.Errorf("health counts %d bounces and %d complaints, want 3 and 1", h.Bounces, h.Complaints)
	}
	for _, f := range []events.Filter{{}, {CampaignID: second}} {
		listed, _, err := e.store.List(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []events.Kind
		for _, r := range listed {
			kinds = append(kinds, r.Kind())
		}
		wantKinds := []events.Kind{events.BounceHard, events.Complaint, events.BounceSoft, events.BounceSoft}
		if f.CampaignID != 0 {
			wantKinds = nil
		}
		if diff := cmp.Diff(wantKinds, kinds); diff != "" {
			t.Errorf("events listed for %+v (-want +got):\n%s", f, diff)
		}
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var counted float64
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "kind" && l.GetValue() == string(events.Unsubscribe) {
					t.Errorf("a series for unsubscribes: %v", m)
				}
			}
			counted += m.GetCounter().GetValue()
		}
	}
	if counted != 4 {
		t.Errorf("bulletin_feedback_events_total sums to %v, want the 4 bounces and complaints", counted)
	}
}

// A retry of a stored unsubscribe changes nothing, even one without a
// time of its own after the reader joined again; a new click (another
// key) after that unsubscribes them again. One older than their joining
// again is stored as ignored and changes nothing, so that their page can
// say the provider has them on its list.
func TestUnsubscribeRetryAfterARejoinChangesNothing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	now := time.Now().UTC()
	dan := e.reader(t, "dan@example.com")
	ann := e.reader(t, "ann@example.com") // confirmed now
	record := func(evs ...events.Event) {
		t.Helper()
		if _, err := e.store.Record(ctx, evs); err != nil {
			t.Fatal(err)
		}
	}
	record(events.Event{Kind: events.Unsubscribe, Source: events.SourceMailgun, Email: "dan@example.com", Key: "mailgun:dan-1"},
		events.Event{Kind: events.Unsubscribe, Source: events.SourcePostmark, Email: "ann@example.com", Key: "postmark:ann", At: now.Add(-time.Hour)})
	// Dan joins again: confirmed, on both lists.
	rejoined := now.Add(time.Second)
	e.exec(t, `UPDATE subscribers SET status = 'confirmed', confirmed_at = ? WHERE id = ?`, rejoined, dan)
	e.exec(t, `UPDATE subscriptions SET status = 'active', updated_at = ? WHERE subscriber_id = ?`, rejoined, dan)

	record(events.Event{Kind: events.Unsubscribe, Source: events.SourceMailgun, Email: "dan@example.com", Key: "mailgun:dan-1"})
	stays := readerState{Status: "confirmed", Subscriptions: "active,active", Delivery: "sent"}
	if diff := cmp.Diff(stays, e.state(t, dan)); diff != "" {
		t.Errorf("dan after a retry of his first unsubscribe (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(stays, e.state(t, ann)); diff != "" {
		t.Errorf("ann after an unsubscribe older than her confirmation (-want +got):\n%s", diff)
	}
	past, _, err := e.store.History(ctx, ann, events.HistoryLimit)
	if err != nil {
		t.Fatal(err)
	}
	if len(past) != 1 || !past[0].Ignored || !past[0].Unsubscribe() || past[0].Source != events.SourcePostmark {
		t.Errorf("ann's history: %+v, want her Postmark unsubscribe, ignored", past)
	}

	record(events.Event{Kind: events.Unsubscribe, Source: events.SourceMailgun, Email: "dan@example.com", Key: "mailgun:dan-2"})
	left := readerState{Status: "unsubscribed", Subscriptions: "unsubscribed,unsubscribed", Delivery: "sent"}
	if diff := cmp.Diff(left, e.state(t, dan)); diff != "" {
		t.Errorf("dan after a new unsubscribe (-want +got):\n%s", diff)
	}
	if n := e.count(t, "subscriber_id = ? AND kind = 'unsubscribe' AND ignored = 0", dan); n != 2 {
		t.Errorf("dan has %d unsubscribes stored, want 2", n)
	}
}

// An unsubscribe found by the relay's id of the message keeps the
// provider's key: a second one from the same mail, after the reader
// joined again, is a new event, not the first told again.
func TestUnsubscribeByRelayIDKeepsItsKey(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ann := e.reader(t, "ann@example.com")
	e.exec(t, `UPDATE deliveries SET relay_id = 'q-ann' WHERE subscriber_id = ?`, ann)
	first := events.Event{Kind: events.Unsubscribe, Source: events.SourcePostmark, Email: "ann@example.com", RelayID: "q-ann", Key: "postmark:1"}
	if _, err := e.store.Record(ctx, []events.Event{first}); err != nil {
		t.Fatal(err)
	}
	e.exec(t, `UPDATE subscriptions SET status = 'active', updated_at = ? WHERE subscriber_id = ?`, time.Now().UTC().Add(time.Second), ann)
	second := first
	second.Key = "postmark:2"
	if _, err := e.store.Record(ctx, []events.Event{second}); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, "subscriber_id = ? AND campaign_id = ? AND kind = 'unsubscribe'", ann, e.campaign); n != 2 {
		t.Errorf("%d unsubscribes of ann's delivery stored, want 2", n)
	}
	if st := e.state(t, ann); st.Status != "unsubscribed" || st.Subscriptions != "unsubscribed,unsubscribed" {
		t.Errorf("ann after her second unsubscribe: %+v", st)
	}
}

// Erasing a reader keeps their unsubscribes for what they were, without
// the address or the provider's words (the events_erase trigger), as it
// keeps their bounces; and still outside every count.
func TestErasedReadersUnsubscribeKeepsNoAddress(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ann := e.reader(t, "ann@example.com")
	if _, err := e.store.Record(ctx, []events.Event{{Kind: events.Unsubscribe, Source: events.SourceMailgun, Email: "ann@example.com",
		Key: "mailgun:ann", Diagnostic: "Not delivering to unsubscribed address ann@example.com"}}); err != nil {
		t.Fatal(err)
	}
	if err := subscribers.NewStore(e.db).Erase(ctx, ann); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, "kind = 'unsubscribe' AND source = 'mailgun' AND subscriber_id IS NULL AND email = '' AND diagnostic = ''"); n != 1 {
		t.Errorf("%d erased unsubscribes kept without address and diagnostic, want 1", n)
	}
	if n := e.count(t, "email LIKE '%ann@%' OR diagnostic LIKE '%ann@%'"); n != 0 {
		t.Errorf("%d events still name ann's address", n)
	}
	h, err := e.store.Health(ctx, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if h.Bounces != 0 || h.Complaints != 0 {
		t.Errorf("health counts %d bounces and %d complaints after the erasure, want none", h.Bounces, h.Complaints)
	}
}

// A reader's page shows their newest events first, at most the limit,
// and says when there are more; an event about an address they had
// before names it.
func TestHistoryNewestFirst(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ann := e.reader(t, "ann@example.com")
	base := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for i, key := range []string{"a", "b", "c"} {
		ev := events.Event{Kind: events.BounceSoft, Source: events.SourceDSN, Status: "4.2.2", SubscriberID: ann, Key: key, At: base.Add(time.Duration(i) * time.Hour)}
		if _, err := e.store.Record(ctx, []events.Event{ev}); err != nil {
			t.Fatal(err)
		}
	}
	e.exec(t, `UPDATE events SET email = 'old@example.com' WHERE dedupe_key = 'a'`)
	got, more, err := e.store.History(ctx, ann, 2)
	if err != nil {
		t.Fatal(err)
	}
	var keys []time.Time
	for _, p := range got {
		keys = append(keys, p.At)
	}
	if diff := cmp.Diff([]time.Time{base.Add(2 * time.Hour), base.Add(time.Hour)}, keys); diff != "" || !more {
		t.Errorf("the newest two (-want +got), more %t:\n%s", more, diff)
	}
	all, more, err := e.store.History(ctx, ann, 3)
	if err != nil || more || len(all) != 3 || all[2].Email != "old@example.com" || all[2].What() != "soft bounce" {
		t.Errorf("all three: %+v, more %t, %v", all, more, err)
	}
}

// A reader's page gives the status code once, before the diagnostic
// unless the diagnostic quotes it.
func TestPastSaid(t *testing.T) {
	for _, tc := range []struct{ status, diagnostic, want string }{
		{"5.2.2", "552 5.2.2 Mailbox full", "552 5.2.2 Mailbox full"},
		{"5.1.1", "User unknown", "5.1.1 User unknown"},
		{"4.2.2", "", "4.2.2"},
		{"", "Not delivering to unsubscribed address", "Not delivering to unsubscribed address"},
		{"", "", ""},
	} {
		if got := (events.Past{Status: tc.status, Diagnostic: tc.diagnostic}).Said(); got != tc.want {
			t.Errorf("Said of %q, %q = %q, want %q", tc.status, tc.diagnostic, got, tc.want)
		}
	}
}
