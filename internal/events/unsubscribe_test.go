package events_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/hooks"
)

// An Unsubscribe takes the reader off every list, as the one-click link
// does, whether it names the reader by address or by delivery (which
// then needs no key): one row each, under the reader, however often it
// comes (Record counts it new once); no address suppressed, the delivery
// stays sent, a bounced reader stays bounced. The GoneRecorder and the
// webhooks hear of a reader once: subscriber.unsubscribed when the status
// became unsubscribed, subscriber.updated for the bounced reader, who has
// only left their lists; an address no reader has changes nothing and is
// not stored.
func TestUnsubscribeLeavesEveryListOnceRecorded(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u, types := "http://127.0.0.1:9/hook", hooks.Types
	if _, err := hooks.NewStore(e.db, hooks.Guard{AllowPrivate: true}).Create(ctx, hooks.Input{URL: &u, Events: &types}); err != nil {
		t.Fatal(err)
	}
	ann := e.reader(t, "ann@example.com")
	bob := e.reader(t, "bob@example.com")
	cat := e.reader(t, "cat@example.com")
	e.exec(t, `UPDATE subscribers SET status = 'bounced' WHERE id = ?`, cat)
	evs := []events.Event{
		{Kind: events.Unsubscribe, Source: events.SourceMailgun, Email: "ANN@example.com", Key: "mailgun:ann"},
		{Kind: events.Unsubscribe, Source: events.SourceSendGrid, CampaignID: e.campaign, SubscriberID: bob},
		{Kind: events.Unsubscribe, Source: events.SourcePostmark, Email: "cat@example.com", Key: "postmark:cat"},
		{Kind: events.Unsubscribe, Source: events.SourcePostmark, Email: "nobody@example.com", Key: "postmark:nobody"},
	}
	for i, want := range []int{3, 0} {
		n, err := e.store.Record(ctx, append([]events.Event(nil), evs...))
		if err != nil {
			t.Fatalf("Record, time %d: %v", i+1, err)
		}
		if n != want {
			t.Errorf("Record, time %d: %d new, want %d", i+1, n, want)
		}
	}
	left := readerState{Status: "unsubscribed", Subscriptions: "unsubscribed,unsubscribed", Delivery: "sent"}
	for id, want := range map[int64]readerState{ann: left, bob: left,
		cat: {Status: "bounced", Subscriptions: "unsubscribed,unsubscribed", Delivery: "sent"}} {
		if diff := cmp.Diff(want, e.state(t, id)); diff != "" {
			t.Errorf("reader %d (-want +got):\n%s", id, diff)
		}
	}
	if n := e.count(t, "kind = 'unsubscribe' AND subscriber_id IN (?, ?, ?)", ann, bob, cat); n != 3 {
		t.Errorf("%d unsubscribes stored under the readers, want 3", n)
	}
	if n := e.count(t, "1 = 1"); n != 3 {
		t.Errorf("%d events stored, want the readers' 3", n)
	}
	if ok, err := e.store.Suppressed(ctx, "nobody@example.com"); err != nil || ok {
		t.Errorf("address of no reader suppressed: %v, %v", ok, err)
	}
	if diff := cmp.Diff([]int64{ann, bob, cat}, e.gone.list()); diff != "" {
		t.Errorf("gone (-want +got):\n%s", diff)
	}
	type sent struct {
		ID           int64
		Type, Status string
	}
	var hooked []sent
	rows, err := e.db.Read.Query(`SELECT json_extract(body, '$.data.id'), type, json_extract(body, '$.data.status') FROM webhook_events ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var h sent
		if err := rows.Scan(&h.ID, &h.Type, &h.Status); err != nil {
			t.Fatal(err)
		}
		hooked = append(hooked, h)
	}
	want := []sent{{ann, hooks.SubscriberUnsubscribed, "unsubscribed"}, {bob, hooks.SubscriberUnsubscribed, "unsubscribed"},
		{cat, hooks.SubscriberUpdated, "bounced"}}
	if diff := cmp.Diff(want, hooked); diff != "" {
		t.Errorf("webhook events (-want +got):\n%s", diff)
	}
}

// A provider's report of an unsubscribe can come after the reader joined
// again: one whose event is older than the reader's latest confirmation,
// or than a subscription made active since, changes nothing. One with no
// time, or newer, still unsubscribes.
func TestUnsubscribeOlderThanAJoinIsIgnored(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	now := time.Now().UTC()
	ann := e.reader(t, "ann@example.com") // confirmed now
	bob := e.reader(t, "bob@example.com")
	e.exec(t, `UPDATE subscribers SET confirmed_at = ? WHERE id = ?`, now.Add(-48*time.Hour), bob)
	e.exec(t, `UPDATE subscriptions SET updated_at = ? WHERE subscriber_id = ? AND list_id = 1`, now.Add(-48*time.Hour), bob)
	cat := e.reader(t, "cat@example.com")
	e.exec(t, `UPDATE subscribers SET confirmed_at = ? WHERE id = ?`, now.Add(-48*time.Hour), cat)
	e.exec(t, `UPDATE subscriptions SET updated_at = ? WHERE subscriber_id = ?`, now.Add(-48*time.Hour), cat)
	dan := e.reader(t, "dan@example.com")
	hourAgo := now.Add(-time.Hour)
	_, err := e.store.Record(ctx, []events.Event{
		{Kind: events.Unsubscribe, Source: events.SourceMailgun, Email: "ann@example.com", Key: "mailgun:ann", At: hourAgo},
		{Kind: events.Unsubscribe, Source: events.SourceMailgun, Email: "bob@example.com", Key: "mailgun:bob", At: hourAgo},
		{Kind: events.Unsubscribe, Source: events.SourceMailgun, Email: "cat@example.com", Key: "mailgun:cat", At: hourAgo},
		{Kind: events.Unsubscribe, Source: events.SourceMailgun, Email: "dan@example.com", Key: "mailgun:dan"},
	})
	if err != nil {
		t.Fatal(err)
	}
	stays := readerState{Status: "confirmed", Subscriptions: "active,active", Delivery: "sent"}
	left := readerState{Status: "unsubscribed", Subscriptions: "unsubscribed,unsubscribed", Delivery: "sent"}
	for id, want := range map[int64]readerState{ann: stays, bob: stays, cat: left, dan: left} {
		if diff := cmp.Diff(want, e.state(t, id)); diff != "" {
			t.Errorf("reader %d (-want +got):\n%s", id, diff)
		}
	}
}
