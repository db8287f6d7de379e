package events_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/events"
)

// A provider's event that names the message by the id the relay gave it
// lands on that delivery, although the address it reports is not the
// reader's (the provider reports where the mail was forwarded, an
// address another reader has); the same bounce reported by DSN as well
// counts once.
func TestRelayIDTiesEventToDelivery(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	robin := e.reader(t, "robin@tidewater.test")
	e.exec(t, `UPDATE deliveries SET relay_id = 'Q-4Xb9Zk1Qz3z5' WHERE subscriber_id = ?`, robin)
	stranger := e.reader(t, "robin@old.test")

	ev := events.Event{Kind: events.BounceHard, Source: events.SourceSES, Status: "5.1.1",
		Email: "ROBIN@old.test", RelayID: "Q-4Xb9Zk1Qz3z5", Key: "ses:feedback-1"}
	if n, err := e.store.Record(ctx, []events.Event{ev}); err != nil || n != 1 {
		t.Fatalf("Record = %d, %v; want 1 stored", n, err)
	}
	if diff := cmp.Diff(readerState{"bounced", 1, "active,active", "bounced", true}, e.state(t, robin)); diff != "" {
		t.Errorf("reader (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(readerState{"confirmed", 0, "active,active", "sent", false}, e.state(t, stranger)); diff != "" {
		t.Errorf("reader now at the old address (-want +got):\n%s", diff)
	}
	if n := e.count(t, `campaign_id = ? AND subscriber_id = ? AND dedupe_key = ?`, e.campaign, robin,
		events.DeliveryKey(events.BounceHard, e.campaign, robin)); n != 1 {
		t.Errorf("%d events on the delivery under its key, want 1", n)
	}

	dsn := events.Event{Kind: events.BounceHard, Source: events.SourceDSN, Status: "5.1.1", CampaignID: e.campaign, SubscriberID: robin}
	if n, err := e.store.Record(ctx, []events.Event{dsn, ev}); err != nil || n != 0 {
		t.Errorf("the same bounce by DSN and webhook again: Record = %d, %v; want 0 stored", n, err)
	}
}

// An id no delivery has (a message of another sender on the relay, a
// folded delivery) leaves the event to its address.
func TestUnknownRelayIDFallsBackToAddress(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	robin := e.reader(t, "robin@tidewater.test")
	ev := events.Event{Kind: events.Complaint, Source: events.SourceSendGrid, Email: "robin@tidewater.test",
		RelayID: "nobody-knows", Key: "sendgrid:1"}
	if n, err := e.store.Record(ctx, []events.Event{ev}); err != nil || n != 1 {
		t.Fatalf("Record = %d, %v; want 1 stored", n, err)
	}
	if diff := cmp.Diff(readerState{"unsubscribed", 0, "unsubscribed,unsubscribed", "sent", true}, e.state(t, robin)); diff != "" {
		t.Errorf("reader (-want +got):\n%s", diff)
	}
	if n := e.count(t, `subscriber_id = ? AND campaign_id IS NULL AND dedupe_key = 'sendgrid:1'`, robin); n != 1 {
		t.Errorf("%d events on the reader alone, want 1", n)
	}
}
