package hooks

import (
	"context"
	"database/sql"
	"testing"
)

func TestStatusEvent(t *testing.T) {
	for _, tc := range []struct{ from, to, want string }{
		{"pending", "confirmed", SubscriberConfirmed},
		{"confirmed", "confirmed", SubscriberUpdated},
		{"confirmed", "unsubscribed", SubscriberUnsubscribed},
		{"unsubscribed", "unsubscribed", SubscriberUpdated},
		{"confirmed", "bounced", SubscriberBounced},
		{"unsubscribed", "pending", SubscriberUpdated},
	} {
		if got := StatusEvent(tc.from, tc.to); got != tc.want {
			t.Errorf("StatusEvent(%s, %s) = %s, want %s", tc.from, tc.to, got, tc.want)
		}
	}
}

// A digest's end is digest.sent, a campaign's campaign.finished; clicks
// go out as link.clicked.
func TestEmitFinishedAndClicks(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.endpoint(t, "http://127.0.0.1:9/", CampaignFinished, DigestSent, LinkClicked)
	now := h.now
	for _, kind := range []string{"digest", "campaign"} {
		if _, err := h.db.Write.Exec(`INSERT INTO campaigns (kind, subject, status, created_at, updated_at) VALUES (?, 'S', 'sent', ?, ?)`, kind, now, now); err != nil {
			t.Fatal(err)
		}
	}
	err := h.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, id := range []int64{1, 2} {
			if err := EmitFinished(ctx, tx, id); err != nil {
				return err
			}
		}
		return EmitClicks(ctx, tx, Click{CampaignID: 2, URL: "https://example.com/a", Clicks: 3, Since: now, Until: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int]string{1: DigestSent, 2: CampaignFinished, 3: LinkClicked} {
		var typ string
		if err := h.db.Read.QueryRow(`SELECT type FROM webhook_events WHERE id = ?`, id).Scan(&typ); err != nil || typ != want {
			t.Errorf("event %d: %q, %v; want %s", id, typ, err, want)
		}
	}
}
