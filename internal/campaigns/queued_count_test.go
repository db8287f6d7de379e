package campaigns

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// QueuedDeliveries counts the deliveries not yet sent, of every campaign,
// and nothing else; /metrics asks it on each scrape, so it reads the
// partial index of queued rows alone, never the table.
func TestQueuedDeliveriesCountsTheQueuedFromTheirIndex(t *testing.T) {
	db := sqlitetest.Open(t)
	now := time.Now().UTC()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Write.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)
		INSERT INTO subscribers (email, email_key, name, status, created_at, updated_at)
		SELECT 'r' || i || '@example.com', 'r' || i || '@example.com', 'Reader ' || i, 'confirmed', ?, ? FROM n`, now, now)
	for id, status := range map[int]string{1: "sending", 2: "paused", 3: "sent"} {
		exec(`INSERT INTO campaigns (id, subject, body, body_html, status, created_at, updated_at) VALUES (?, 'Hello', 'Hi', 'Hi', ?, ?, ?)`, id, status, now, now)
	}
	// Campaign 1: 4 queued, 3 sent; 2 (paused): 2 queued, 1 failed; 3:
	// each sent or bounced.
	exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, updated_at, batch) SELECT 1, id,
		CASE WHEN id <= 4 THEN 'queued' ELSE 'sent' END, ?, 0 FROM subscribers WHERE id <= 7`, now)
	exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, updated_at, batch) SELECT 2, id,
		CASE WHEN id <= 2 THEN 'queued' ELSE 'failed' END, ?, 0 FROM subscribers WHERE id <= 3`, now)
	exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, updated_at, batch) SELECT 3, id,
		CASE WHEN id % 2 = 0 THEN 'sent' ELSE 'bounced' END, ?, 0 FROM subscribers`, now)

	n, err := NewStore(db).QueuedDeliveries(context.Background())
	if err != nil || n != 6 {
		t.Errorf("QueuedDeliveries = %d, %v; want 6", n, err)
	}
	plan := sqlitetest.Plan(t, db.Read, queuedDeliveriesSQL)
	if !strings.Contains(plan, "USING COVERING INDEX deliveries_queued_batch") {
		t.Errorf("the count does not read the index of queued deliveries alone:\n%s", plan)
	}
}
