package events_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/hooks"
)

// A hard bounce emits subscriber.bounced and a complaint
// subscriber.complained, once each however often they are reported.
func TestBounceAndComplaintEmitWebhookEvents(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u, evs := "http://127.0.0.1:9/hook", hooks.Types
	if _, err := hooks.NewStore(e.db, hooks.Guard{AllowPrivate: true}).Create(ctx, hooks.Input{URL: &u, Events: &evs}); err != nil {
		t.Fatal(err)
	}
	now := "2026-01-02 03:04:05"
	ann := e.exec(t, `INSERT INTO subscribers (email, email_key, status, created_at, updated_at) VALUES ('ann@example.com', 'ann@example.com', 'confirmed', ?, ?)`, now, now)
	bob := e.exec(t, `INSERT INTO subscribers (email, email_key, status, created_at, updated_at) VALUES ('bob@example.com', 'bob@example.com', 'confirmed', ?, ?)`, now, now)
	for range 2 {
		if _, err := e.store.Record(ctx, []events.Event{
			{Kind: events.BounceHard, Source: events.SourceDSN, Status: "5.1.1", CampaignID: e.campaign, SubscriberID: ann},
			{Kind: events.Complaint, Source: events.SourceARF, CampaignID: e.campaign, SubscriberID: bob},
		}); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := e.db.Read.Query(`SELECT type, json_extract(body, '$.data.email') FROM webhook_events ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var typ, email string
		rows.Scan(&typ, &email)
		got = append(got, typ+" "+email)
	}
	want := []string{hooks.SubscriberBounced + " ann@example.com", hooks.SubscriberComplained + " bob@example.com"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("webhook events (-want +got):\n%s", diff)
	}
}
