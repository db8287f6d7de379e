package campaigns_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// stoppedEnv is 40 confirmed readers of news, r00-r39, 6 of them of
// deals too, 4 of deals only (deal a-d, who joined last), and r25
// suppressed; and campaign id to news and deals whose fan-out has made
// its first 20 deliveries, r00-r19 (pages of 2, held back after ten
// while any waits).
func stoppedEnv(t *testing.T) (e *env, id, news int64) {
	t.Helper()
	e = newEnv(t)
	e.svc.PageSize, e.svc.MaxQueued = 2, 1
	news = e.addList(t, "news")
	deals := e.addList(t, "deals")
	ids := e.addReaders(t, 40, news)
	for _, id := range ids[30:36] {
		e.exec(t, `INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES (?, ?, 'active', ?, ?)`, id, deals, time.Now(), time.Now())
	}
	for i := range 4 {
		e.addSubscriber(t, "deal"+string(rune('a'+i))+"@example.com", "confirmed", deals)
	}
	e.exec(t, `INSERT INTO suppressions (target, reason, created_at) VALUES ('r25@example.com', 'manual', ?)`, time.Now())
	id = e.create(t, "news", "deals")
	if _, err := e.svc.Send(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	tasks := e.q.take(queue.TypeCampaignFanout)
	if len(tasks) != 1 {
		t.Fatalf("%d fan-out tasks queued, want 1", len(tasks))
	}
	if err := e.svc.HandleFanout(context.Background(), tasks[0]); err != nil {
		t.Fatal(err)
	}
	return e, id, news
}

// stoppedPair is stoppedEnv with its campaign cancelled, and a second
// campaign to news paused before its fan-out began: all of news is past
// its cursor.
func stoppedPair(t *testing.T) (e *env, cancelled, paused, news int64) {
	t.Helper()
	ctx := context.Background()
	e, cancelled, news = stoppedEnv(t)
	if _, err := e.svc.Cancel(ctx, cancelled); err != nil {
		t.Fatal(err)
	}
	paused = e.create(t, "news")
	if _, err := e.svc.Send(ctx, paused); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Pause(ctx, paused); err != nil {
		t.Fatal(err)
	}
	return e, cancelled, paused, news
}

// progressOf is campaign id's progress as its page shows it.
func progressOf(t *testing.T, s *campaigns.Store, id int64) campaigns.Progress {
	t.Helper()
	e, err := s.Entry(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	p := e.Progress()
	// The API's audience is the page's.
	if e.Audience != p.Audience {
		t.Errorf("campaign %d (%s): audience %d, its progress's %d", id, e.Status, e.Audience, p.Audience)
	}
	return p
}

// A paused or cancelled campaign's progress is counted once, when it
// stops, and read after: it stays what it was however readers come and
// go, and reading it counts no reader (with their subscriptions out of
// reach, any count fails). A cancelled campaign's stays so once its
// deliveries are folded, which marks its fan-out done.
func TestStoppedCampaignProgressIsCountedWhenItStops(t *testing.T) {
	e, cancelled, paused, news := stoppedPair(t)
	want := map[int64]campaigns.Progress{
		// Made 20, skipped by the cancel; never queued r20-r39 less r25
		// and deal a-d.
		cancelled: {Audience: 43, Done: 0, NotSent: 43, NeverQueued: 23},
		paused:    {Audience: 39, Done: 0}, // r00-r39 less r25
	}
	check := func(when string) {
		t.Helper()
		got := map[int64]campaigns.Progress{cancelled: progressOf(t, e.svc.Store, cancelled), paused: progressOf(t, e.svc.Store, paused)}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("progress %s (-want +got):\n%s", when, diff)
		}
	}
	check("as stopped")
	// A reader who joins and one who leaves change neither.
	e.addSubscriber(t, "late@example.com", "confirmed", news)
	e.exec(t, `UPDATE subscriptions SET status = 'unsubscribed' WHERE subscriber_id = (SELECT id FROM subscribers WHERE email = 'r39@example.com')`)
	check("once a reader joined and one left")
	// The fold marks a cancelled campaign's fan-out done.
	e.exec(t, `UPDATE campaigns SET fanout_done = 1 WHERE id = ?`, cancelled)
	e.exec(t, `ALTER TABLE subscriptions RENAME TO subscriptions_away`)
	check("with no reader to count, the cancelled one folded")
}

// Migration 073 counts, of the campaigns stopped before it, what a stop
// counts now: a cancelled campaign's readers not reached as of its
// cancel, a paused one's as of now.
func TestMigrationCountsStoppedCampaignsAsTheirStop(t *testing.T) {
	ctx := context.Background()
	e, cancelled, paused, news := stoppedPair(t)
	before := map[int64]campaigns.Progress{cancelled: progressOf(t, e.svc.Store, cancelled), paused: progressOf(t, e.svc.Store, paused)}
	for _, q := range []string{
		`ALTER TABLE campaigns DROP COLUMN not_reached`,
		`DELETE FROM migrations WHERE name = 'migration/073_campaign_not_reached.sql'`,
	} {
		e.exec(t, q)
	}
	// Joined after the cancel: not one the cancelled campaign missed.
	e.addSubscriber(t, "late@example.com", "confirmed", news)
	again, err := sqlite.Open(ctx, e.db.Path)
	if err != nil {
		t.Fatal(err)
	}
	again.Close()
	after := map[int64]campaigns.Progress{cancelled: progressOf(t, e.svc.Store, cancelled), paused: progressOf(t, e.svc.Store, paused)}
	want := before
	p := want[paused]
	p.Audience++ // the reader who joined since: paused, it is measured as of now
	want[paused] = p
	if diff := cmp.Diff(want, after); diff != "" {
		t.Errorf("progress after migration 073 (-want +got):\n%s", diff)
	}
}
