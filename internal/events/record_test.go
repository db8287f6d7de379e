package events_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// Each kind of event applies its rule to its reader, and to no one else.
func TestRecordAppliesRules(t *testing.T) {
	tests := []struct {
		name string
		ev   events.Event
		want readerState
	}{
		{"hard bounce", events.Event{Kind: events.BounceHard, Source: events.SourceDSN, Status: "5.1.1"},
			readerState{"bounced", 1, "active,active", "bounced", true}},
		{"one soft bounce", events.Event{Kind: events.BounceSoft, Source: events.SourceDSN, Status: "4.2.2"},
			readerState{"confirmed", 0, "active,active", "bounced", false}},
		{"complaint", events.Event{Kind: events.Complaint, Source: events.SourceARF},
			readerState{"unsubscribed", 0, "unsubscribed,unsubscribed", "sent", true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			id := e.reader(t, "Robin@Tidewater.test")
			other := e.reader(t, "kai@tidewater.test")
			ev := tt.ev
			ev.CampaignID, ev.SubscriberID = e.campaign, id
			n, err := e.store.Record(ctx, []events.Event{ev})
			if err != nil || n != 1 {
				t.Fatalf("Record = %d, %v; want 1 stored", n, err)
			}
			if diff := cmp.Diff(tt.want, e.state(t, id)); diff != "" {
				t.Errorf("reader (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(readerState{"confirmed", 0, "active,active", "sent", false}, e.state(t, other)); diff != "" {
				t.Errorf("other reader (-want +got):\n%s", diff)
			}
			var wantGone []int64
			if tt.want.Status != "confirmed" {
				wantGone = []int64{id}
			}
			if diff := cmp.Diff(wantGone, e.gone.list()); diff != "" {
				t.Errorf("told gone (-want +got):\n%s", diff)
			}
			var email, key string
			var cid, sid sql.NullInt64
			if err := e.db.Read.QueryRow(`SELECT email, dedupe_key, campaign_id, subscriber_id FROM events`).Scan(&email, &key, &cid, &sid); err != nil {
				t.Fatal(err)
			}
			if email != "Robin@Tidewater.test" || cid.Int64 != e.campaign || sid.Int64 != id || key != events.DeliveryKey(ev.Kind, e.campaign, id) {
				t.Errorf("event row: email %q, key %q, campaign %v, subscriber %v", email, key, cid, sid)
			}
		})
	}
}

// Soft bounces make a reader bounced at the third within 30 days; older
// ones do not count.
func TestSoftBouncesCountWithinWindow(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := e.reader(t, "robin@tidewater.test")
	now := sqlite.Now()
	soft := func(key string, at time.Time) events.Event {
		return events.Event{Kind: events.BounceSoft, Source: events.SourceSES, SubscriberID: id, Key: key, At: at}
	}
	steps := []struct {
		ev   events.Event
		want string
	}{
		{soft("old-1", now.Add(-45*day)), "confirmed"},
		{soft("old-2", now.Add(-31*day)), "confirmed"},
		{soft("new-1", now.Add(-20*day)), "confirmed"},
		{soft("new-2", now.Add(-1*day)), "confirmed"},
		{soft("new-2", now), "confirmed"}, // the same event again counts nothing
		{soft("new-3", now), "bounced"},
	}
	for i, s := range steps {
		if _, err := e.store.Record(ctx, []events.Event{s.ev}); err != nil {
			t.Fatal(err)
		}
		if got := e.state(t, id).Status; got != s.want {
			t.Fatalf("after step %d (%s): status %q, want %q", i, s.ev.Key, got, s.want)
		}
	}
	if !e.state(t, id).Suppressed {
		t.Error("bounced by soft bounces but not suppressed")
	}
}

// The same event reported twice, in one batch or two, is one row and
// counts once.
func TestRecordDedupes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := e.reader(t, "robin@tidewater.test")
	ev := events.Event{Kind: events.BounceHard, Source: events.SourceDSN, Status: "5.1.1", CampaignID: e.campaign, SubscriberID: id}
	n, err := e.store.Record(ctx, []events.Event{ev, ev})
	if err != nil || n != 1 {
		t.Fatalf("Record = %d, %v; want 1", n, err)
	}
	soft := ev
	soft.Kind = events.BounceSoft // a second report on the same delivery, however classed
	if n, err := e.store.Record(ctx, []events.Event{ev, soft}); err != nil || n != 0 {
		t.Fatalf("Record again = %d, %v; want 0", n, err)
	}
	if got := e.count(t, "1"); got != 1 {
		t.Errorf("%d event rows, want 1", got)
	}
	if got := e.state(t, id).Bounces; got != 1 {
		t.Errorf("bounce_count %d, want 1", got)
	}
}

// An event about an address Bulletin does not know is stored and, even
// for a complaint, suppresses nothing: only a reader's address is
// suppressed; one about an erased reader keeps no address.
func TestRecordUnknownAndErased(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.store.Record(ctx, []events.Event{{Kind: events.Complaint, Source: events.SourceMailgun, Email: "Stranger@Else.test", Key: "mg-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := e.store.Suppressed(ctx, "stranger@else.test"); err != nil || ok {
		t.Errorf("Suppressed(stranger) = %t, %v; want false", ok, err)
	}
	if n := e.count(t, "email = 'stranger@else.test' AND subscriber_id IS NULL"); n != 1 {
		t.Errorf("%d events about the stranger stored, want 1", n)
	}
	id := e.reader(t, "robin@tidewater.test")
	if _, err := e.store.Record(ctx, []events.Event{{Kind: events.BounceSoft, Source: events.SourceDSN, Diagnostic: "452 robin@tidewater.test is full",
		CampaignID: e.campaign, SubscriberID: id}}); err != nil {
		t.Fatal(err)
	}
	e.exec(t, `DELETE FROM subscribers WHERE id = ?`, id)
	var email, diag string
	var sid sql.NullInt64
	if err := e.db.Read.QueryRow(`SELECT email, diagnostic, subscriber_id FROM events WHERE kind = 'bounce_soft'`).Scan(&email, &diag, &sid); err != nil {
		t.Fatal(err)
	}
	if email != "" || diag != "" || sid.Valid {
		t.Errorf("erased reader's event kept email %q, diagnostic %q, subscriber %v", email, diag, sid)
	}
}

// Bad events are refused before anything is stored.
func TestRecordRefusesBadEvents(t *testing.T) {
	e := newEnv(t)
	for _, ev := range []events.Event{
		{Kind: "click", Source: events.SourceDSN, Key: "k"},
		{Kind: events.BounceHard, Source: "pigeon", Key: "k"},
		{Kind: events.BounceHard, Source: events.SourceDSN, Email: "a@b.test"}, // no key, no delivery
	} {
		if _, err := e.store.Record(context.Background(), []events.Event{ev}); err == nil {
			t.Errorf("Record(%+v) = nil error", ev)
		}
	}
	if n := e.count(t, "1"); n != 0 {
		t.Errorf("%d rows stored", n)
	}
}

// KindOf classes enhanced status codes.
func TestKindOf(t *testing.T) {
	for status, want := range map[string]events.Kind{
		"5.1.1": events.BounceHard, "5.1.10": events.BounceHard, "5.2.1": events.BounceHard, "5.0.0": events.BounceHard,
		"5.2.2": events.BounceSoft, "5.7.1": events.BounceSoft, "5.3.4": events.BounceSoft, "4.2.2": events.BounceSoft,
		"": events.BounceSoft, "550": events.BounceSoft,
	} {
		if got := events.KindOf(status); got != want {
			t.Errorf("KindOf(%q) = %s, want %s", status, got, want)
		}
	}
}

// A Batcher answers each caller once its events are committed, and a bad
// event fails only its own caller.
func TestBatcher(t *testing.T) {
	e := newEnv(t)
	b := events.NewBatcher(e.store)
	defer b.Close()
	ids := make([]int64, 20)
	for i := range ids {
		ids[i] = e.reader(t, fmt.Sprintf("r%d@tidewater.test", i))
	}
	errs := make(chan error, len(ids)+1)
	for _, id := range ids {
		go func() {
			errs <- b.Add(context.Background(), events.Event{Kind: events.BounceHard, Source: events.SourceDSN, CampaignID: e.campaign, SubscriberID: id})
		}()
	}
	go func() {
		errs <- b.Add(context.Background(), events.Event{Kind: "bogus", Source: events.SourceDSN, Key: "x"})
	}()
	failed := 0
	for range len(ids) + 1 {
		if err := <-errs; err != nil {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("%d callers failed, want 1 (the bogus event)", failed)
	}
	if n := e.count(t, "kind = 'bounce_hard'"); n != len(ids) {
		t.Errorf("%d events stored, want %d", n, len(ids))
	}
}
