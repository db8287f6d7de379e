package tracking

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// emitHooks emits link.clicked through internal/hooks, as serve wires it.
func emitHooks(ctx context.Context, tx *sql.Tx, e ClickEvent) error {
	return hooks.EmitClicks(ctx, tx, hooks.Click{CampaignID: e.Campaign, URL: e.URL, Clicks: e.Clicks, Since: e.Since, Until: e.Until})
}

// subscribeClicks adds an active endpoint that wants link.clicked.
func subscribeClicks(t *testing.T, db *sqlite.DB) {
	t.Helper()
	now := sqlite.Now()
	if _, err := db.Write.Exec(`INSERT INTO webhook_endpoints (url, events, secret, active, created_at, updated_at)
		VALUES ('https://hooks.test/in', '["link.clicked"]', 'whsec_x', 1, ?, ?)`, now, now); err != nil {
		t.Fatal(err)
	}
}

func clickEvents(t *testing.T, db *sqlite.DB) []hooks.Click {
	t.Helper()
	rows, err := db.Read.Query(`SELECT body FROM webhook_events WHERE type = 'link.clicked' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []hooks.Click
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			t.Fatal(err)
		}
		var b struct{ Data hooks.Click }
		if err := json.Unmarshal(body, &b); err != nil {
			t.Fatal(err)
		}
		out = append(out, b.Data)
	}
	return out
}

func TestLinkClickedGoesOutOnceAMinutePerLink(t *testing.T) {
	db := openTestDB(t)
	subscribeClicks(t, db)
	clock := &fakeClock{now: t0}
	events := NewClickEvents(emitHooks)
	events.Now = clock.Now
	rec := NewRecorder(db, testSecret, RecorderOptions{Events: events})
	defer rec.Close()
	c := newTestCampaign(t, db, Anonymous, false, []string{"https://a.test/one", "https://a.test/two"}, 12)
	click := func(link, reader int, method string) Hit {
		return Hit{Campaign: c.id, Link: link, Delivery: c.deliveries[reader], Mode: Anonymous, Links: 2, At: clock.Now(), Method: method, UserAgent: chrome}
	}
	for i := range 10 {
		hits(t, rec, false, click(0, i, "GET"))
		clock.Add(5 * time.Second)
	}
	hits(t, rec, false, click(0, 10, "HEAD"), click(1, 11, "GET")) // a machine's, and the second link's
	if got := clickEvents(t, db); len(got) != 0 {
		t.Fatalf("events within the first minute: %+v", got)
	}
	clock.Add(11 * time.Second) // a minute after the first click
	rec.Flush()
	want := []hooks.Click{{CampaignID: c.id, URL: "https://a.test/one", Clicks: 10, Since: t0, Until: t0.Add(61 * time.Second)}}
	if diff := cmp.Diff(want, clickEvents(t, db)); diff != "" {
		t.Fatalf("events a minute after the first click (-want +got):\n%s", diff)
	}
	clock.Add(50 * time.Second)
	rec.Flush()
	want = append(want, hooks.Click{CampaignID: c.id, URL: "https://a.test/two", Clicks: 1, Since: t0.Add(50 * time.Second), Until: t0.Add(111 * time.Second)})
	if diff := cmp.Diff(want, clickEvents(t, db)); diff != "" {
		t.Fatalf("events once the second link's minute passed (-want +got):\n%s", diff)
	}
	clock.Add(time.Hour)
	rec.Flush()
	if got := clickEvents(t, db); len(got) != 2 {
		t.Errorf("%d events with no click since, want still 2", len(got))
	}
}

// A batch that rolls back takes its event with it: the recorder tries
// the batch again, and the event goes out once, with every click.
func TestLinkClickedRollsBackWithItsBatch(t *testing.T) {
	db := openTestDB(t)
	subscribeClicks(t, db)
	clock := &fakeClock{now: t0}
	var calls int
	events := NewClickEvents(func(ctx context.Context, tx *sql.Tx, e ClickEvent) error {
		calls++
		if err := emitHooks(ctx, tx, e); err != nil {
			return err
		}
		if calls == 1 { // written, then the transaction fails
			return errors.New("disk full")
		}
		return nil
	})
	events.Now = clock.Now
	rec := NewRecorder(db, testSecret, RecorderOptions{Events: events})
	defer rec.Close()
	c := newTestCampaign(t, db, Anonymous, false, []string{"https://a.test/one"}, 4)
	click := func(reader int) Hit {
		return Hit{Campaign: c.id, Link: 0, Delivery: c.deliveries[reader], Mode: Anonymous, Links: 1, At: clock.Now(), Method: "GET", UserAgent: chrome}
	}
	for i := range 3 {
		hits(t, rec, false, click(i))
	}
	clock.Add(2 * time.Minute)
	hits(t, rec, false, click(3))
	if calls != 2 {
		t.Errorf("emit called %d times, want 2 (the failed batch, then its retry)", calls)
	}
	want := []hooks.Click{{CampaignID: c.id, URL: "https://a.test/one", Clicks: 4, Since: t0, Until: t0.Add(2 * time.Minute)}}
	if diff := cmp.Diff(want, clickEvents(t, db)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM clicks WHERE campaign_id = ?`, c.id); n != 4 {
		t.Errorf("%d clicks stored, want 4", n)
	}
}

// Close emits what is pending, due or not: a clean shutdown loses no
// count.
func TestLinkClickedPendingGoesOutAtClose(t *testing.T) {
	db := openTestDB(t)
	subscribeClicks(t, db)
	clock := &fakeClock{now: t0}
	events := NewClickEvents(emitHooks)
	events.Now = clock.Now
	rec := NewRecorder(db, testSecret, RecorderOptions{Events: events})
	c := newTestCampaign(t, db, Anonymous, false, []string{"https://a.test/one"}, 2)
	for i := range 2 {
		hits(t, rec, false, Hit{Campaign: c.id, Link: 0, Delivery: c.deliveries[i], Mode: Anonymous, Links: 1, At: clock.Now(), Method: "GET", UserAgent: chrome})
	}
	clock.Add(10 * time.Second)
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	want := []hooks.Click{{CampaignID: c.id, URL: "https://a.test/one", Clicks: 2, Since: t0, Until: t0.Add(10 * time.Second)}}
	if diff := cmp.Diff(want, clickEvents(t, db)); diff != "" {
		t.Errorf("events after Close (-want +got):\n%s", diff)
	}
}

// TestBurstClicksLeaveTheCount: clicks counted as a person's and then
// found to start a burst come back out of what link.clicked has not sent.
func TestBurstClicksLeaveTheCount(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
	var got []ClickEvent
	e := NewClickEvents(func(_ context.Context, _ *sql.Tx, ev ClickEvent) error {
		got = append(got, ev)
		return nil
	})
	e.Now = clock.Now
	step := func(counts ...LinkCount) {
		t.Helper()
		if err := e.inTx(context.Background(), nil, counts, false); err != nil {
			t.Fatal(err)
		}
		e.done(true)
	}
	step(LinkCount{Campaign: 1, Link: 0, Clicks: 1}, LinkCount{Campaign: 1, Link: 1, Clicks: 1}, LinkCount{Campaign: 1, Link: 2, Clicks: 2})
	// The third link of one reader within seconds: a burst; its two
	// earlier clicks are a machine's after all.
	step(LinkCount{Campaign: 1, Link: 0, Machine: 1}, LinkCount{Campaign: 1, Link: 1, Machine: 1}, LinkCount{Campaign: 1, Link: 2, Clicks: 1, Machine: 1})
	if len(e.pending) != 1 || e.pending[linkKey{1, 2}].clicks != 2 {
		t.Errorf("pending after the burst = %+v, want only link 2 with its 2 people's clicks", e.pending)
	}
	if len(got) != 0 {
		t.Errorf("emitted %+v before the minute", got)
	}
}
