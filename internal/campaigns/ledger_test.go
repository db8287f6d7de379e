package campaigns_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue"
)

// deliveryRow is what the tests below check of a delivery.
type deliveryRow struct {
	ID, Batch    int64
	Status, Last string
	Attempts     int
	Claimed      sql.NullTime
	SentAt       sql.NullTime
}

// deliveries returns campaign cid's deliveries by subscriber id.
func (e *env) deliveries(t *testing.T, cid int64) map[int64]deliveryRow {
	t.Helper()
	rows, err := e.db.Read.Query(`SELECT subscriber_id, id, batch, status, last_error, attempts, claimed_until, sent_at
		FROM deliveries WHERE campaign_id = ?`, cid)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]deliveryRow{}
	for rows.Next() {
		var sid int64
		var d deliveryRow
		if err := rows.Scan(&sid, &d.ID, &d.Batch, &d.Status, &d.Last, &d.Attempts, &d.Claimed, &d.SentAt); err != nil {
			t.Fatal(err)
		}
		out[sid] = d
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// A delivery that exists already when the fan-out reaches its subscriber
// is left as it is and handed out to no sender; the rest of its page is
// inserted, claimed when serve sends it itself, and the cursor moves past
// the whole page.
func TestFanoutLeavesExistingDeliveries(t *testing.T) {
	e := newEnv(t) // pages of 7
	ctx := context.Background()
	a := e.addList(t, "a")
	subs := e.addReaders(t, 10, a)
	id := e.create(t, "a")
	past := time.Now().UTC().Add(-time.Hour)
	for _, sid := range []int64{subs[2], subs[8]} {
		e.exec(t, `INSERT INTO deliveries (campaign_id, subscriber_id, status, batch, last_error, updated_at) VALUES (?, ?, 'queued', 42, 'kept', ?)`, id, sid, past)
	}
	before := e.deliveries(t, id)
	if _, err := e.svc.Send(ctx, id); err != nil {
		t.Fatal(err)
	}
	var kicked []*queue.SendPayload
	e.svc.Kick = func(p *queue.SendPayload) { kicked = append(kicked, p) }
	e.fanout(t)

	got := e.deliveries(t, id)
	for _, sid := range []int64{subs[2], subs[8]} {
		if got[sid] != before[sid] {
			t.Errorf("existing delivery of %d changed: %+v, was %+v", sid, got[sid], before[sid])
		}
	}
	handed := map[int64]bool{}
	for _, p := range kicked {
		if p.ClaimedUntil.IsZero() {
			t.Errorf("batch %d not claimed", p.Batch)
		}
		for _, r := range p.Recipients {
			d := got[r.SubscriberID]
			if handed[r.SubscriberID] || d.ID != r.DeliveryID || d.Batch != p.Batch || d.Status != "queued" ||
				d.Attempts != 1 || !d.Claimed.Valid || !d.Claimed.Time.Equal(p.ClaimedUntil) {
				t.Errorf("recipient %+v of batch %d: delivery %+v", r, p.Batch, d)
			}
			handed[r.SubscriberID] = true
		}
	}
	if len(kicked) != 2 || kicked[0].Batch != 0 || kicked[1].Batch != subs[6] {
		t.Errorf("%d batches, want 2: after 0 and after %d", len(kicked), subs[6])
	}
	if len(handed) != 8 || handed[subs[2]] || handed[subs[8]] || len(got) != 10 {
		t.Errorf("handed out %v of %d deliveries; want the 8 new ones", handed, len(got))
	}
	var total int
	var after int64
	var done bool
	e.db.Read.QueryRow(`SELECT total, fanout_after, fanout_done FROM campaigns WHERE id = ?`, id).Scan(&total, &after, &done)
	if total != 8 || after != subs[9] || !done {
		t.Errorf("total %d, cursor %d, done %v; want 8, %d, true", total, after, done, subs[9])
	}
}

// Results sent at one moment, however many, are marked in one go, and
// never on a delivery that ended otherwise (here failed). One skipped
// while its message was on the wire is marked sent (TestCancelKeeps…).
func TestRecordManySentAtOnce(t *testing.T) {
	e := newEnv(t)
	e.svc.PageSize = 400
	ctx := context.Background()
	a := e.addList(t, "a")
	now := time.Now().UTC()
	e.exec(t, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200)
		INSERT INTO subscribers (email, email_key, name, status, created_at, updated_at)
		SELECT 'r' || i || '@example.com', 'r' || i || '@example.com', '', 'confirmed', ?, ? FROM n`, now, now)
	e.exec(t, `INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at)
		SELECT id, ?, 'active', ?, ? FROM subscribers`, a, now, now)
	id := e.create(t, "a")
	kicked := e.sendKicked(t, id)
	var results []queue.Result
	at := now.Add(time.Second).Truncate(time.Microsecond)
	for _, p := range kicked {
		for _, r := range p.Recipients {
			results = append(results, queue.Result{DeliveryID: r.DeliveryID, SubscriberID: r.SubscriberID, Status: queue.ResultSent, At: at})
		}
	}
	if len(results) != 1200 {
		t.Fatalf("%d deliveries, want 1200", len(results))
	}
	ended := results[700]
	e.exec(t, `UPDATE deliveries SET status = 'failed', claimed_until = NULL WHERE id = ?`, ended.DeliveryID)
	if err := e.svc.Record(ctx, id, results); err != nil {
		t.Fatal(err)
	}
	for sid, d := range e.deliveries(t, id) {
		if sid == ended.SubscriberID {
			if d.Status != "failed" || d.SentAt.Valid {
				t.Errorf("failed delivery recorded sent: %+v", d)
			}
			continue
		}
		if d.Status != "sent" || !d.SentAt.Valid || !d.SentAt.Time.Equal(at) || d.Claimed.Valid {
			t.Fatalf("delivery of %d: %+v", sid, d)
		}
	}
	c, err := e.svc.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != campaigns.StatusSent || c.Stats.Sent != 1199 || c.Stats.Failed != 1 {
		t.Errorf("campaign %s with %+v", c.Status, c.Stats)
	}
}

// Claim skips the deliveries of subscribers who left since the fan-out,
// leaves alone those another run holds, and claims the rest.
func TestClaimSkipsGoneAndHeld(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.addList(t, "a")
	b := e.addList(t, "b")
	subs := e.addReaders(t, 8, a, b)
	id := e.create(t, "a")
	if _, err := e.svc.Send(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.fanout(t)
	ds := e.deliveries(t, id)
	held := time.Now().UTC().Add(time.Minute).Truncate(time.Microsecond)
	e.exec(t, `UPDATE subscribers SET status = 'unsubscribed' WHERE id = ?`, subs[1])
	// Left the campaign's list, still on another: gone for this campaign.
	e.exec(t, `UPDATE subscriptions SET status = 'unsubscribed' WHERE subscriber_id = ? AND list_id = ?`, subs[6], a)
	// Left another list only: still a recipient.
	e.exec(t, `UPDATE subscriptions SET status = 'unsubscribed' WHERE subscriber_id = ? AND list_id = ?`, subs[7], b)
	e.exec(t, `UPDATE deliveries SET claimed_until = ? WHERE id = ?`, held, ds[subs[3]].ID)
	e.exec(t, `UPDATE deliveries SET status = 'sent' WHERE id = ?`, ds[subs[4]].ID)
	p := &queue.SendPayload{CampaignID: id}
	for _, sid := range subs {
		p.Recipients = append(p.Recipients, queue.Recipient{DeliveryID: ds[sid].ID, SubscriberID: sid})
	}
	claimed, stopped, err := e.svc.Ledger().Claim(ctx, p, p.Recipients)
	if err != nil || stopped {
		t.Fatal(err, stopped)
	}
	want := map[int64]bool{ds[subs[0]].ID: true, ds[subs[2]].ID: true, ds[subs[5]].ID: true, ds[subs[7]].ID: true}
	if len(claimed) != len(want) {
		t.Errorf("claimed %v, want %v", claimed, want)
	}
	for _, did := range claimed {
		if !want[did] {
			t.Errorf("claimed %v, want %v", claimed, want)
		}
	}
	got := e.deliveries(t, id)
	for i, sid := range subs {
		d := got[sid]
		switch i {
		case 1, 6:
			if d.Status != "skipped" || d.Attempts != 0 || d.Claimed.Valid {
				t.Errorf("delivery of the gone subscriber: %+v", d)
			}
		case 3:
			if d.Attempts != 0 || !d.Claimed.Time.Equal(held) {
				t.Errorf("delivery held by another run: %+v", d)
			}
		case 4:
			if d.Status != "sent" || d.Attempts != 0 || d.Claimed.Valid {
				t.Errorf("sent delivery: %+v", d)
			}
		default:
			if d.Status != "queued" || d.Attempts != 1 || !d.Claimed.Valid {
				t.Errorf("claimed delivery: %+v", d)
			}
		}
	}
}
