package campaigns_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// A draft has nothing to cancel: Cancel refuses it and says to delete it.
// A campaign cancelled before it started (scheduled, or a draft an older
// version let be cancelled) sent nothing and is deleted like a draft; one
// cancelled after it started, or with deliveries, is history and stays.
func TestCancelDraftAndDeleteNeverStarted(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addReaders(t, 2, e.addList(t, "news"))

	draft := e.create(t, "news")
	_, err := e.svc.Cancel(ctx, draft)
	if bulletin.ErrorCode(err) != bulletin.ECONFLICT || !strings.Contains(bulletin.ErrorMessage(err), "Delete the draft instead") {
		t.Errorf("cancel a draft: %v, want a conflict saying to delete it", err)
	}
	if c, _ := e.svc.Get(ctx, draft); c.Status != campaigns.StatusDraft || !c.Deletable() {
		t.Errorf("after a refused cancel: %s, deletable %v; want a deletable draft", c.Status, c.Deletable())
	}

	at := time.Now().Add(48 * time.Hour)
	scheduled := &campaigns.Campaign{Subject: "Later", Body: "Hi", Lists: []string{"news"}, SendAt: &at}
	if err := e.svc.Schedule(ctx, scheduled); err != nil {
		t.Fatal(err)
	}
	old := e.create(t, "news")
	e.exec(t, `UPDATE campaigns SET status = 'cancelled', finished_at = CURRENT_TIMESTAMP WHERE id = ?`, old)
	started := e.create(t, "news")
	if _, err := e.svc.Send(ctx, started); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{scheduled.ID, started} {
		if _, err := e.svc.Cancel(ctx, id); err != nil {
			t.Fatalf("cancel %d: %v", id, err)
		}
	}
	// A cancelled row with deliveries but no started_at: its history
	// stays, whatever the status columns say.
	odd := e.create(t, "news")
	e.exec(t, `UPDATE campaigns SET status = 'cancelled' WHERE id = ?`, odd)
	e.exec(t, `INSERT INTO deliveries (campaign_id, subscriber_id, status, updated_at)
		SELECT ?, id, 'skipped', CURRENT_TIMESTAMP FROM subscribers LIMIT 1`, odd)

	for _, tc := range []struct {
		name      string
		id        int64
		deletable bool
	}{
		{"cancelled while scheduled", scheduled.ID, true},
		{"a draft cancelled by an older version", old, true},
		{"cancelled while sending", started, false},
		{"cancelled with deliveries", odd, false},
	} {
		c, err := e.svc.Get(ctx, tc.id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Deletable() != tc.deletable {
			t.Errorf("%s: Deletable() = %v, want %v", tc.name, c.Deletable(), tc.deletable)
		}
		err = e.svc.Delete(ctx, tc.id)
		if tc.deletable && err != nil {
			t.Errorf("%s: delete: %v", tc.name, err)
		}
		if !tc.deletable && (bulletin.ErrorCode(err) != bulletin.ECONFLICT || !strings.Contains(bulletin.ErrorMessage(err), "can be deleted")) {
			t.Errorf("%s: delete: %v, want a conflict saying why", tc.name, err)
		}
		if _, err := e.svc.Get(ctx, tc.id); (bulletin.ErrorCode(err) == bulletin.ENOTFOUND) != tc.deletable {
			t.Errorf("%s: after delete: %v", tc.name, err)
		}
	}
}
