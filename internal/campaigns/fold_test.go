package campaigns_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/subscribers"
)

const retention = 90 * 24 * time.Hour

// foldedCampaign sends a campaign to 20 readers of a new list, gives its
// deliveries a mix of results (sent, failed, bounced, skipped) and, when
// finished, makes it sent ago. It returns the campaign and the readers.
func (e *env) foldedCampaign(t *testing.T, slug, status string, ago time.Duration) (int64, []int64) {
	t.Helper()
	l := e.addList(t, slug)
	readers := make([]int64, 20)
	for i := range readers {
		readers[i] = e.addSubscriber(t, slug+"-"+string(rune('a'+i))+"@example.com", "confirmed", l)
	}
	id := e.create(t, slug)
	e.sendKicked(t, id)
	at := time.Now().UTC().Add(-ago).Truncate(time.Microsecond)
	e.exec(t, `UPDATE deliveries SET status = 'sent', sent_at = ?, claimed_until = NULL WHERE campaign_id = ?`, at, id)
	e.exec(t, `UPDATE deliveries SET status = 'failed', sent_at = NULL WHERE campaign_id = ? AND subscriber_id IN (?, ?)`, id, readers[0], readers[1])
	e.exec(t, `UPDATE deliveries SET status = 'bounced' WHERE campaign_id = ? AND subscriber_id = ?`, id, readers[2])
	e.exec(t, `UPDATE deliveries SET status = 'skipped', sent_at = NULL WHERE campaign_id = ? AND subscriber_id IN (?, ?, ?)`, id, readers[3], readers[4], readers[5])
	e.exec(t, `UPDATE campaigns SET status = ?, finished_at = ?, updated_at = ? WHERE id = ?`, status, at, at, id)
	return id, readers
}

func (e *env) folder() *campaigns.Folder {
	return &campaigns.Folder{Store: e.svc.Store, Retention: retention, Batch: 4, Pause: -1}
}

func (e *env) statsJSON(t *testing.T, id int64) string {
	t.Helper()
	c, err := e.svc.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	buf, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf)
}

func (e *env) rows(t *testing.T, id int64) (all, queued int) {
	t.Helper()
	err := e.db.Read.QueryRow(`SELECT COUNT(*), COUNT(*) FILTER (WHERE status = 'queued') FROM deliveries WHERE campaign_id = ?`, id).Scan(&all, &queued)
	if err != nil {
		t.Fatal(err)
	}
	return all, queued
}

func TestFoldKeepsACampaignsStats(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id, _ := e.foldedCampaign(t, "old", campaigns.StatusSent, 100*24*time.Hour)
	before := e.statsJSON(t, id)
	var c campaigns.Campaign
	json.Unmarshal([]byte(before), &c)
	if want := (campaigns.Stats{Total: 20, Sent: 14, Failed: 2, Bounced: 1, Skipped: 3}); c.Stats != want {
		t.Fatalf("setup: stats %+v, want %+v", c.Stats, want)
	}
	res, err := e.folder().Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res.Vacuumed = 0 // pages, whatever the file's layout
	if diff := cmp.Diff(campaigns.FoldResult{Campaigns: 1, Rows: 20}, res); diff != "" {
		t.Errorf("fold result (-want +got):\n%s", diff)
	}
	if all, _ := e.rows(t, id); all != 0 {
		t.Errorf("%d deliveries left, want 0", all)
	}
	if diff := cmp.Diff(before, e.statsJSON(t, id)); diff != "" {
		t.Errorf("campaign JSON after the fold (-want +got):\n%s", diff)
	}
	// A second pass finds nothing to do and changes nothing.
	if res, err := e.folder().Run(ctx); err != nil || res.Rows != 0 {
		t.Errorf("second pass: %+v, %v", res, err)
	}
	if diff := cmp.Diff(before, e.statsJSON(t, id)); diff != "" {
		t.Errorf("campaign JSON after a second pass (-want +got):\n%s", diff)
	}
}

func TestFoldKeepsAReadersLastMailed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	old, readers := e.foldedCampaign(t, "old", campaigns.StatusSent, 200*24*time.Hour)
	older, _ := e.foldedCampaign(t, "older", campaigns.StatusSent, 300*24*time.Hour)
	// readers[6] also got the older campaign; its own last mail is old's.
	e.exec(t, `INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at) VALUES (?, ?, 'sent', ?, ?)`,
		older, readers[6], time.Now().UTC().Add(-300*24*time.Hour), time.Now().UTC())
	e.exec(t, `UPDATE subscribers SET bounce_count = 1 WHERE id = ?`, readers[2])
	subs := subscribers.NewStore(e.db)
	type reader struct {
		LastMailed *time.Time
		Bounces    int
	}
	view := func(id int64) reader {
		x, err := subs.ExportOf(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return reader{x.LastMailedAt, x.Subscriber.BounceCount}
	}
	before := map[int64]reader{}
	for _, id := range readers {
		before[id] = view(id)
	}
	if before[readers[6]].LastMailed == nil || before[readers[0]].LastMailed != nil {
		t.Fatalf("setup: last mailed %v and %v", before[readers[6]].LastMailed, before[readers[0]].LastMailed)
	}
	if _, err := e.folder().Run(ctx); err != nil {
		t.Fatal(err)
	}
	if all, _ := e.rows(t, old); all != 0 {
		t.Fatalf("%d deliveries left, want 0", all)
	}
	after := map[int64]reader{}
	for _, id := range readers {
		after[id] = view(id)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("readers after the fold (-want +got):\n%s", diff)
	}
}

func TestFoldLeavesWhatIsNotDue(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	recent, _ := e.foldedCampaign(t, "recent", campaigns.StatusSent, 30*24*time.Hour)
	sending, _ := e.foldedCampaign(t, "sending", campaigns.StatusSending, 200*24*time.Hour)
	paused, _ := e.foldedCampaign(t, "paused", campaigns.StatusPaused, 200*24*time.Hour)
	cancelled, readers := e.foldedCampaign(t, "cancelled", campaigns.StatusCancelled, 200*24*time.Hour)
	e.exec(t, `UPDATE deliveries SET status = 'queued', sent_at = NULL WHERE campaign_id IN (?, ?) AND subscriber_id % 4 = 0`, sending, paused)
	e.exec(t, `UPDATE deliveries SET status = 'queued', sent_at = NULL WHERE campaign_id = ? AND subscriber_id = ?`, cancelled, readers[10])
	before := map[int64]string{}
	for _, id := range []int64{recent, sending, paused, cancelled} {
		before[id] = e.statsJSON(t, id)
	}
	if _, err := e.folder().Run(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{recent, sending, paused} {
		if all, _ := e.rows(t, id); all != 20 {
			t.Errorf("campaign %d: %d deliveries left, want all 20", id, all)
		}
	}
	if all, queued := e.rows(t, cancelled); all != 1 || queued != 1 {
		t.Errorf("cancelled: %d deliveries left (%d queued), want only the queued one", all, queued)
	}
	for id, want := range before {
		if diff := cmp.Diff(want, e.statsJSON(t, id)); diff != "" {
			t.Errorf("campaign %d JSON after the fold (-want +got):\n%s", id, diff)
		}
	}
}

// The deliveries' UNIQUE (campaign_id, subscriber_id) no longer stands in
// the way once they are folded: the campaign's status and fanout_done do.
func TestFoldedCampaignIsNeverSentAgain(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id, _ := e.foldedCampaign(t, "old", campaigns.StatusSent, 100*24*time.Hour)
	// A campaign cancelled halfway through its fan-out.
	half, _ := e.foldedCampaign(t, "half", campaigns.StatusCancelled, 100*24*time.Hour)
	e.exec(t, `UPDATE campaigns SET fanout_done = 0, fanout_after = 0 WHERE id = ?`, half)
	if _, err := e.folder().Run(ctx); err != nil {
		t.Fatal(err)
	}
	e.q.take(queue.TypeMailSend)
	if _, err := e.svc.Reconcile(ctx, e.q); err != nil {
		t.Fatal(err)
	}
	for _, cid := range []int64{id, half} {
		if err := e.svc.HandleFanout(ctx, fanoutTask(cid)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Send(ctx, cid); err == nil {
			t.Errorf("campaign %d sent again after its fold", cid)
		}
	}
	// Even put back to sending by hand, a folded campaign fans out no more.
	e.exec(t, `UPDATE campaigns SET status = 'sending' WHERE id IN (?, ?)`, id, half)
	for _, cid := range []int64{id, half} {
		if err := e.svc.HandleFanout(ctx, fanoutTask(cid)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.Reconcile(ctx, e.q); err != nil {
		t.Fatal(err)
	}
	e.fanout(t)
	for _, cid := range []int64{id, half} {
		if all, _ := e.rows(t, cid); all != 0 {
			t.Errorf("campaign %d: %d new deliveries after its fold", cid, all)
		}
	}
	if ts := e.q.take(queue.TypeMailSend); len(ts) != 0 {
		t.Errorf("%d mail:send tasks after the fold", len(ts))
	}
}

// A fold stopped after one batch (a kill) leaves totals right, and the
// next pass, in a new process, finishes it.
func TestFoldKilledHalfwayEndsRight(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id, _ := e.foldedCampaign(t, "old", campaigns.StatusSent, 100*24*time.Hour)
	before := e.statsJSON(t, id)
	n, done, err := e.folder().FoldBatch(ctx, id)
	if err != nil || n != 4 || done {
		t.Fatalf("FoldBatch = %d, %v, %v; want 4 rows, not done", n, done, err)
	}
	if diff := cmp.Diff(before, e.statsJSON(t, id)); diff != "" {
		t.Errorf("campaign JSON halfway (-want +got):\n%s", diff)
	}
	path := e.db.Path
	e.db.Close()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e.db, e.svc.Store = db, campaigns.NewStore(db)
	if res, err := e.folder().Run(ctx); err != nil || res.Rows != 16 {
		t.Fatalf("pass after the restart: %+v, %v; want the 16 rows left", res, err)
	}
	if all, _ := e.rows(t, id); all != 0 {
		t.Errorf("%d deliveries left, want 0", all)
	}
	if diff := cmp.Diff(before, e.statsJSON(t, id)); diff != "" {
		t.Errorf("campaign JSON after the restart (-want +got):\n%s", diff)
	}
}

// The pages the fold frees go back to the file system.
func TestFoldGivesTheSpaceBack(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id, _ := e.foldedCampaign(t, "old", campaigns.StatusSent, 100*24*time.Hour)
	// 5,000 more readers who got it, with long errors, so that the
	// deliveries fill many pages.
	e.exec(t, `INSERT INTO subscribers (email, email_key, status, created_at, updated_at)
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
		SELECT 'bulk' || i || '@example.com', 'bulk' || i || '@example.com', 'unsubscribed', datetime(), datetime() FROM n`)
	e.exec(t, `INSERT INTO deliveries (campaign_id, subscriber_id, status, last_error, updated_at)
		SELECT ?, id, 'failed', printf('%0300d', id), datetime() FROM subscribers WHERE email LIKE 'bulk%'`, id)
	if err := e.db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	full, err := e.db.PageStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f := e.folder()
	f.Batch = 1000
	if _, err := f.Run(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := e.db.PageStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.FreePages != 0 || after.Pages > full.Pages*3/4 {
		t.Errorf("pages %d (free %d) -> %d (free %d): want the deliveries' pages given back", full.Pages, full.FreePages, after.Pages, after.FreePages)
	}
}

func fanoutTask(id int64) *asynq.Task {
	t, _ := queue.NewFanoutTask(id, 0)
	return t
}

func TestFolderLoopFoldsSoonAfterStart(t *testing.T) {
	e := newEnv(t)
	id, _ := e.foldedCampaign(t, "old", campaigns.StatusSent, 100*24*time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.folder().Loop(ctx, 10*time.Millisecond, time.Hour); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if all, _ := e.rows(t, id); all == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the loop folded nothing within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the loop did not stop with its context")
	}
}
