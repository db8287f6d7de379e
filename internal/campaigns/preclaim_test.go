package campaigns_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/mailer"
)

// kickedEnv starts a campaign of n recipients whose fan-out hands its
// batches to Kick, as serve's does, and returns them.
func kickedEnv(t *testing.T, n int) (*env, int64, []*queue.SendPayload) {
	e := newEnv(t)
	a := e.addList(t, "a")
	e.addReaders(t, n, a)
	id := e.create(t, "a")
	kicked := e.sendKicked(t, id)
	if len(kicked) == 0 || kicked[0].ClaimedUntil.IsZero() {
		t.Fatalf("kicked %d batches, not claimed", len(kicked))
	}
	return e, id, kicked
}

// Deliveries serve's fan-out inserts claimed are sent by serve's sender
// without a claim, and a mail:send task of the same batch, running
// meanwhile, claims none of them.
func TestKickedBatchesAreClaimedAtFanout(t *testing.T) {
	e, id, kicked := kickedEnv(t, 30)
	ctx := context.Background()
	bs := &countingSender{}
	s := &mailer.Sender{Batch: bs, Ledger: e.svc.Ledger(), Chunk: 7}
	for _, p := range kicked {
		var task queue.SendPayload // as a queued task would carry it
		buf, _ := json.Marshal(p)
		json.Unmarshal(buf, &task)
		if !task.ClaimedUntil.IsZero() {
			t.Fatal("Claimed went into the task's payload")
		}
		before := len(bs.counts)
		if err := s.Send(ctx, &task); err != nil {
			t.Fatal(err)
		}
		if n := len(bs.counts) - before; n != 0 {
			t.Fatalf("a task sent %d deliveries serve had claimed", n)
		}
		if err := s.Send(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	for email, n := range bs.counts {
		if n != 1 {
			t.Errorf("%s got %d copies", email, n)
		}
	}
	c, _ := e.svc.Get(ctx, id)
	if len(bs.counts) != 30 || c.Status != campaigns.StatusSent || c.Stats.Sent != 30 {
		t.Errorf("%d recipients got mail; campaign %s with %+v", len(bs.counts), c.Status, c.Stats)
	}
}

// A paused campaign's pre-claimed deliveries are not sent, and their
// claims are given back, so that the task the resume queues sends them.
func TestKickedBatchOfPausedCampaignReleasesClaims(t *testing.T) {
	e, id, kicked := kickedEnv(t, 10)
	ctx := context.Background()
	if _, err := e.svc.Pause(ctx, id); err != nil {
		t.Fatal(err)
	}
	bs := &countingSender{}
	s := &mailer.Sender{Batch: bs, Ledger: e.svc.Ledger()}
	for _, p := range kicked {
		if err := s.Send(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if len(bs.counts) != 0 {
		t.Fatalf("sent %d of a paused campaign", len(bs.counts))
	}
	if _, err := e.svc.Resume(ctx, id); err != nil {
		t.Fatal(err)
	}
	if n := e.sendAll(t, bs, 1); n != 0 {
		t.Fatalf("%d runs failed", n)
	}
	if len(bs.counts) != 10 {
		t.Errorf("%d recipients got mail after the resume, want 10", len(bs.counts))
	}
}

// Once a claim taken at fan-out is stale, the sender claims anew those
// rows that still hold it, and not one another run took over.
func TestStaleFanoutClaimIsRenewedOnlyWhereHeld(t *testing.T) {
	e, _, kicked := kickedEnv(t, 4)
	ctx := context.Background()
	p := kicked[0]
	stale := time.Now().UTC().Add(time.Minute).Truncate(time.Microsecond)
	other := stale.Add(time.Second)
	ids := []any{p.Recipients[0].DeliveryID, p.Recipients[1].DeliveryID}
	e.exec(t, `UPDATE deliveries SET claimed_until = ?`, stale)
	e.exec(t, `UPDATE deliveries SET claimed_until = ? WHERE id IN (?, ?)`, append([]any{other}, ids...)...)
	p.ClaimedUntil = stale
	bs := &countingSender{}
	s := &mailer.Sender{Batch: bs, Ledger: e.svc.Ledger()}
	if err := s.Send(ctx, p); err != nil {
		t.Fatal(err)
	}
	if len(bs.counts) != 2 || bs.counts[p.Recipients[0].Email] != 0 || bs.counts[p.Recipients[2].Email] != 1 {
		t.Errorf("sent %v; want the 2 whose claim was still this run's", bs.counts)
	}
}

// A digest's batches handed to serve's own sender (Kick) are claimed in
// the transaction that hands them out, and hold only the deliveries that
// transaction claimed: not a reader who left before it (skipped), nor one
// another run had claimed already. Serve's sender sends them without a
// claim of its own, the mail:send task of the same batch claims none of
// them, and every other reader gets the digest once.
func TestKickedDigestBatchesAreClaimedAtHandOut(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	news := e.addList(t, "news")
	e.exec(t, `UPDATE lists SET digest = 'daily' WHERE id = ?`, news)
	e.exec(t, `INSERT INTO articles (id, url, title, summary, author, published_at, created_at) VALUES (1, 'https://news.example/a', 'Ferry news', 'The ferry.', 'Maren', ?, ?)`,
		time.Now().Add(-time.Hour).UTC(), time.Now().UTC())
	e.exec(t, `INSERT INTO article_lists (article_id, list_id) VALUES (1, ?)`, news)
	ids := e.addReaders(t, 20, news) // three batches of 7
	d, err := e.svc.RunDigest(ctx, "news")
	if err != nil || d.Recipients != 20 {
		t.Fatalf("digest %+v: %v", d, err)
	}
	e.exec(t, `UPDATE subscriptions SET status = 'unsubscribed' WHERE subscriber_id = ?`, ids[3])
	elsewhere := time.Now().UTC().Add(time.Hour)
	e.exec(t, `UPDATE deliveries SET claimed_until = ? WHERE subscriber_id = ?`, elsewhere, ids[9])

	var kicked []*queue.SendPayload
	e.svc.Kick = func(p *queue.SendPayload) { kicked = append(kicked, p) }
	e.fanout(t)
	e.svc.Kick = nil
	got := map[string]bool{}
	for _, p := range kicked {
		if p.ClaimedUntil.IsZero() {
			t.Fatalf("batch %d handed out unclaimed", p.Batch)
		}
		for _, r := range p.Recipients {
			got[r.Email] = true
		}
	}
	if len(kicked) != 3 || len(got) != 18 || got["r03@example.com"] || got["r09@example.com"] {
		t.Fatalf("%d batches to %d readers: %v; want 3 to all but r03 (left) and r09 (claimed elsewhere)", len(kicked), len(got), got)
	}

	bs := &countingSender{}
	s := &mailer.Sender{Batch: bs, Ledger: e.svc.Ledger(), Chunk: 3}
	for _, p := range kicked {
		task := *p
		task.ClaimedUntil = time.Time{} // as the batch's queued task carries it
		if err := s.Send(ctx, &task); err != nil {
			t.Fatal(err)
		}
		if len(bs.counts) != 0 {
			t.Fatalf("a mail:send task sent %v, claimed by serve's sender", bs.counts)
		}
	}
	for _, p := range kicked {
		if err := s.Send(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	for email, n := range bs.counts {
		if n != 1 {
			t.Errorf("%s got %d copies", email, n)
		}
	}
	st, err := e.svc.DigestStats(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs.counts) != 18 || st.Sent != 18 || st.Skipped != 1 || st.Queued != 1 {
		t.Errorf("%d readers got it; stats %+v, want 18 sent, 1 skipped, 1 queued (claimed elsewhere)", len(bs.counts), st)
	}
}
