package events_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/hooks"
)

// A hard bounce of mail to a reader who has unsubscribed since is
// applied whole but for their status: the address is suppressed, the
// bounce is counted on the reader (bounce_count) and stored under them,
// and they stay unsubscribed, which was their own choice. No webhook
// tells of it: subscriber.bounced says the status became bounced, and
// nothing a WebhookSubscriber holds changed. A report of it again counts
// nothing more; another mail's hard bounce counts too, as does the soft
// bounce that reaches SoftBounces, once.
func TestHardBounceOfAnUnsubscribedReaderIsCounted(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u, types := "http://127.0.0.1:9/hook", hooks.Types
	if _, err := hooks.NewStore(e.db, hooks.Guard{AllowPrivate: true}).Create(ctx, hooks.Input{URL: &u, Events: &types}); err != nil {
		t.Fatal(err)
	}
	ben := e.reader(t, "ben.hartley@example.org")
	if _, err := e.store.Record(ctx, []events.Event{{Kind: events.Unsubscribe, Source: events.SourcePostmark,
		Email: "ben.hartley@example.org", Key: "postmark:ben"}}); err != nil {
		t.Fatal(err)
	}
	hooked := func() int {
		t.Helper()
		var n int
		if err := e.db.Read.QueryRow(`SELECT COUNT(*) FROM webhook_events`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := hooked() // subscriber.unsubscribed
	hard := events.Event{Kind: events.BounceHard, Source: events.SourceMailgun, Status: "5.1.1",
		Diagnostic: "550 5.1.1 No such mailbox", Email: "ben.hartley@example.org", CampaignID: e.campaign, SubscriberID: ben}
	for range 2 {
		if _, err := e.store.Record(ctx, []events.Event{hard}); err != nil {
			t.Fatal(err)
		}
	}
	want := readerState{Status: "unsubscribed", Bounces: 1, Subscriptions: "unsubscribed,unsubscribed", Delivery: "bounced", Suppressed: true}
	if diff := cmp.Diff(want, e.state(t, ben)); diff != "" {
		t.Errorf("after the hard bounce (-want +got):\n%s", diff)
	}
	if n := e.count(t, "kind = 'bounce_hard' AND subscriber_id = ?", ben); n != 1 {
		t.Errorf("%d hard bounces stored under the reader, want 1", n)
	}
	if n := hooked() - before; n != 0 {
		t.Errorf("%d webhook events for the bounce, want none", n)
	}
	if got := e.gone.list(); len(got) != 1 {
		t.Errorf("gone %v, want the unsubscribe's alone", got)
	}

	// Another campaign's mail, reported by address alone.
	other := e.exec(t, `INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('Later', 'sent', datetime(), datetime())`)
	e.exec(t, `INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at) VALUES (?, ?, 'sent', datetime(), datetime())`, other, ben)
	if _, err := e.store.Record(ctx, []events.Event{{Kind: events.BounceHard, Source: events.SourcePostmark, Status: "5.1.1",
		Email: "Ben.Hartley@example.org", Key: "postmark:ben-2"}}); err != nil {
		t.Fatal(err)
	}
	if got := e.state(t, ben); got.Status != "unsubscribed" || got.Bounces != 2 {
		t.Errorf("after a second mail's hard bounce: %+v, want unsubscribed with 2 bounces", got)
	}

	// Soft bounces count once, at the one that reaches the threshold.
	cat := e.reader(t, "cat@example.org")
	e.exec(t, `UPDATE subscribers SET status = 'unsubscribed' WHERE id = ?`, cat)
	for i := range events.SoftBounces + 2 {
		if _, err := e.store.Record(ctx, []events.Event{{Kind: events.BounceSoft, Source: events.SourceSendGrid, Status: "4.2.2",
			Email: "cat@example.org", Key: "sendgrid:cat-" + string(rune('a'+i))}}); err != nil {
			t.Fatal(err)
		}
		wantBounces := 0
		if i+1 >= events.SoftBounces {
			wantBounces = 1
		}
		if got := e.state(t, cat); got.Status != "unsubscribed" || got.Bounces != wantBounces || got.Suppressed != (wantBounces == 1) {
			t.Errorf("after %d soft bounces: %+v, want unsubscribed, %d bounces, suppressed %t", i+1, got, wantBounces, wantBounces == 1)
		}
	}
	if n := hooked() - before; n != 0 {
		t.Errorf("%d webhook events for the bounces, want none", n)
	}
}
