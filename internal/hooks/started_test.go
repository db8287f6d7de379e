package hooks

import (
	"context"
	"database/sql"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// campaign.started gives the total its caller counted, not the
// deliveries the campaign's row has made so far, and the rest of the
// campaign as the row says; Wanted tells whether anyone wants it.
func TestEmitStartedGivesTheTotalCounted(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	now := h.now
	if _, err := h.db.Write.Exec(`INSERT INTO campaigns (kind, subject, status, started_at, created_at, updated_at) VALUES ('campaign', 'S', 'sending', ?, ?, ?)`, now, now, now); err != nil {
		t.Fatal(err)
	}
	wanted := func() bool {
		t.Helper()
		var ok bool
		err := h.db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			ok, err = Wanted(ctx, tx, CampaignStarted)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if wanted() {
		t.Error("Wanted with no endpoint = true")
	}
	h.endpoint(t, "http://127.0.0.1:9/", CampaignStarted)
	if !wanted() {
		t.Error("Wanted with an endpoint for campaign.started = false")
	}
	if err := h.db.Tx(ctx, func(tx *sql.Tx) error { return EmitStarted(ctx, tx, 1, 2998) }); err != nil {
		t.Fatal(err)
	}
	var body string
	if err := h.db.Read.QueryRow(`SELECT body FROM webhook_events WHERE type = ?`, CampaignStarted).Scan(&body); err != nil {
		t.Fatal(err)
	}
	var got struct{ Data Campaign }
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	started := got.Data.StartedAt
	got.Data.StartedAt = nil
	want := Campaign{ID: 1, Kind: "campaign", Subject: "S", Status: "sending", Lists: []string{}, Total: 2998}
	if diff := cmp.Diff(want, got.Data); diff != "" || started == nil {
		t.Errorf("campaign.started data (-want +got):\n%s\nstarted_at %v", diff, started)
	}
}
