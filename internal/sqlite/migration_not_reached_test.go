package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A database from before 073 gets not_reached, and its campaigns stopped
// already the readers their page counted at each look: a cancelled
// campaign's readers past its fan-out's cursor who were readers by its
// cancel, each once, none suppressed, unsubscribed or unconfirmed; a
// paused one's by now; none for a cancelled campaign folded (its fan-out
// marked done). Any other campaign's stays NULL, uncounted.
func TestNotReachedCountedForCampaignsStoppedBefore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db := open(t, path)
	joined := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	cancelled := joined.Add(24 * time.Hour)
	later := cancelled.Add(time.Microsecond)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`ALTER TABLE campaigns DROP COLUMN not_reached`, nil},
		{`DELETE FROM migrations WHERE name = 'migration/073_campaign_not_reached.sql'`, nil},
		{`INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'news', 'News', ?1), (2, 'deals', 'Deals', ?1)`, []any{joined}},
		// 1-3 were sent to; 4 is on both lists; 5 left news; 6 is
		// pending; 7's domain is suppressed; 8 joined after the cancel;
		// 9 joined before it but took the list after.
		{`INSERT INTO subscribers (id, email, email_key, status, created_at, updated_at) VALUES
			(1, 'one@example.com', 'one@example.com', 'confirmed', ?1, ?1),
			(2, 'two@example.com', 'two@example.com', 'confirmed', ?1, ?1),
			(3, 'three@example.com', 'three@example.com', 'confirmed', ?1, ?1),
			(4, 'four@example.com', 'four@example.com', 'confirmed', ?1, ?1),
			(5, 'five@example.com', 'five@example.com', 'confirmed', ?1, ?1),
			(6, 'six@example.com', 'six@example.com', 'pending', ?1, ?1),
			(7, 'seven@spam.example', 'seven@spam.example', 'confirmed', ?1, ?1),
			(8, 'eight@example.com', 'eight@example.com', 'confirmed', ?2, ?2),
			(9, 'nine@example.com', 'nine@example.com', 'confirmed', ?1, ?2),
			(10, 'ten@example.com', 'ten@example.com', 'confirmed', ?1, ?1)`, []any{joined, later}},
		{`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES
			(1, 1, 'active', ?1, ?1), (2, 1, 'active', ?1, ?1), (3, 1, 'active', ?1, ?1),
			(4, 1, 'active', ?1, ?1), (4, 2, 'active', ?1, ?1), (5, 1, 'unsubscribed', ?1, ?1),
			(6, 1, 'pending', ?1, ?1), (7, 1, 'active', ?1, ?1), (8, 1, 'active', ?2, ?2),
			(9, 2, 'active', ?2, ?2), (10, 2, 'active', ?1, ?1)`, []any{joined, later}},
		{`INSERT INTO suppressions (target, reason, created_at) VALUES ('spam.example', 'manual', ?)`, []any{joined}},
		// 1: cancelled after 3 readers; 2: paused after 3; 3: cancelled,
		// then folded; 4: sent; 5: a draft; 6: cancelled before it
		// started (it would have gone to all).
		{`INSERT INTO campaigns (id, subject, status, fanout_after, fanout_done, total, created_at, updated_at, started_at, finished_at) VALUES
			(1, 'Cancelled', 'cancelled', 3, 0, 3, ?1, ?2, ?1, ?2),
			(2, 'Paused', 'paused', 3, 0, 3, ?1, ?2, ?1, NULL),
			(3, 'Folded', 'cancelled', 3, 1, 3, ?1, ?2, ?1, ?2),
			(4, 'Sent', 'sent', 4, 1, 4, ?1, ?2, ?1, ?2),
			(5, 'Draft', 'draft', 0, 0, 0, ?1, ?1, NULL, NULL),
			(6, 'Never', 'cancelled', 0, 0, 0, ?1, ?2, NULL, ?2)`, []any{joined, cancelled}},
		{`INSERT INTO campaign_lists (campaign_id, list_id) VALUES (1, 1), (1, 2), (2, 1), (2, 2), (3, 1), (4, 1), (5, 1), (6, 1), (6, 2)`, nil},
		{`INSERT INTO deliveries (campaign_id, subscriber_id, status, updated_at) VALUES
			(1, 1, 'sent', ?1), (1, 2, 'sent', ?1), (1, 3, 'skipped', ?1),
			(2, 1, 'sent', ?1), (2, 2, 'queued', ?1), (2, 3, 'queued', ?1)`, []any{cancelled}},
	} {
		if _, err := db.Write.ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	db.Close()

	db = open(t, path)
	defer db.Close()
	got := column(t, db.Read, `SELECT id || ' ' || subject || ' ' || ifnull(not_reached, 'NULL') FROM campaigns ORDER BY id`)
	want := []string{
		"1 Cancelled 2", // 4 (once) and 10
		"2 Paused 4",    // 4, 8, 9 and 10
		"3 Folded 0",
		"4 Sent NULL",
		"5 Draft NULL",
		"6 Never 5", // 1, 2, 3, 4 and 10
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("campaigns' readers not reached after the migration (-want +got):\n%s", diff)
	}
}
