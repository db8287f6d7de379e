package events_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/sqlite"
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

// A bounce of a delivery sent before an editor gave the reader another
// address is about the old address, whether the event names the delivery
// by its VERP address or by the relay's id: the delivery is bounced and
// the address the event reports suppressed, but the reader and their new
// address are left alone; a complaint still unsubscribes the reader.
func TestBounceOfOldAddressLeavesReaderAlone(t *testing.T) {
	for _, tt := range []struct {
		name  string
		event func(e *env, id int64) events.Event
	}{
		{"VERP", func(e *env, id int64) events.Event {
			return events.Event{Kind: events.BounceHard, Source: events.SourceDSN, Status: "5.1.1", Email: "kit@old.test",
				CampaignID: e.campaign, SubscriberID: id}
		}},
		{"relay id", func(e *env, id int64) events.Event {
			e.exec(t, `UPDATE deliveries SET relay_id = 'R-1' WHERE subscriber_id = ?`, id)
			return events.Event{Kind: events.BounceHard, Source: events.SourceSES, Status: "5.1.1", Email: "kit@old.test",
				RelayID: "R-1", Key: "ses:1"}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			kit := e.reader(t, "kit@old.test")
			e.newAddress(t, kit, "kit@new.test")
			if n, err := e.store.Record(ctx, []events.Event{tt.event(e, kit)}); err != nil || n != 1 {
				t.Fatalf("Record = %d, %v; want 1 stored", n, err)
			}
			if diff := cmp.Diff(readerState{"confirmed", 0, "active,active", "bounced", false}, e.state(t, kit)); diff != "" {
				t.Errorf("reader at the new address (-want +got):\n%s", diff)
			}
			if ok, err := e.store.Suppressed(ctx, "kit@old.test"); err != nil || !ok {
				t.Errorf("old address suppressed = %v, %v; want true", ok, err)
			}
			if n := e.count(t, `subscriber_id = ? AND email = 'kit@old.test' AND kind = 'bounce_hard'`, kit); n != 1 {
				t.Errorf("%d hard bounces stored for the old address, want 1", n)
			}
			if len(e.gone.list()) != 0 {
				t.Errorf("readers told gone: %v, want none", e.gone.list())
			}
			complaint := tt.event(e, kit)
			complaint.Kind, complaint.Key = events.Complaint, "complaint:1"
			if _, err := e.store.Record(ctx, []events.Event{complaint}); err != nil {
				t.Fatal(err)
			}
			if got := e.state(t, kit); got.Status != "unsubscribed" || got.Suppressed {
				t.Errorf("after a complaint from the old address: %+v, want unsubscribed, the new address not suppressed", got)
			}
		})
	}
}

// A soft bounce of a delivery sent before the reader's address changed
// does not count towards bouncing the reader; the same soft bounce of a
// reader whose address did not change does.
func TestSoftBounceOfOldAddressDoesNotCount(t *testing.T) {
	for _, moved := range []bool{true, false} {
		e := newEnv(t)
		kit := e.reader(t, "kit@old.test")
		if moved {
			e.newAddress(t, kit, "kit@new.test")
		}
		for i := range events.SoftBounces - 1 {
			e.exec(t, `INSERT INTO events (kind, source, status, diagnostic, subscriber_id, email, dedupe_key, at, recorded_at)
				VALUES ('bounce_soft', 'dsn', '4.2.2', '', ?, 'kit@old.test', ?, ?, ?)`, kit, fmt.Sprint("earlier:", i), sqlite.Now(), sqlite.Now())
		}
		ev := events.Event{Kind: events.BounceSoft, Source: events.SourceDSN, Status: "4.2.2", Email: "kit@old.test",
			CampaignID: e.campaign, SubscriberID: kit}
		if n, err := e.store.Record(context.Background(), []events.Event{ev}); err != nil || n != 1 {
			t.Fatalf("moved %v: Record = %d, %v; want 1 stored", moved, n, err)
		}
		want := map[bool]string{true: "confirmed", false: "bounced"}[moved]
		if got := e.state(t, kit).Status; got != want {
			t.Errorf("moved %v: reader %s after the soft bounce, want %s", moved, got, want)
		}
	}
}

// newAddress gives reader id another address a second after now, as an
// editor's change does.
func (e *env) newAddress(t *testing.T, id int64, email string) {
	t.Helper()
	e.exec(t, `UPDATE subscribers SET email = ?, email_key = ?, email_changed_at = ? WHERE id = ?`,
		email, email, sqlite.Now().Add(time.Second), id)
}
