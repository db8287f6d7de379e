package tracking

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/subscribers"
)

const chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"

var fourLinks = []string{"https://a.test/1", "https://a.test/2", "https://a.test/3", "https://a.test/4"}

type storedClick struct {
	Link     int
	Delivery sql.NullInt64
	Machine  bool
	Reason   string
}

func clicksOf(t *testing.T, db interface {
	Query(string, ...any) (*sql.Rows, error)
}, campaign int64) []storedClick {
	t.Helper()
	rows, err := db.Query(`SELECT link_idx, delivery_id, machine, reason FROM clicks WHERE campaign_id = ? ORDER BY id`, campaign)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []storedClick
	for rows.Next() {
		var c storedClick
		if err := rows.Scan(&c.Link, &c.Delivery, &c.Machine, &c.Reason); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func TestRecorderKeepsTheDeliveryOnlyWhenTrackingIsOn(t *testing.T) {
	db := openTestDB(t)
	rec := NewRecorder(db, testSecret, RecorderOptions{})
	defer rec.Close()
	on := newTestCampaign(t, db, On, false, fourLinks, 2)
	anon := newTestCampaign(t, db, Anonymous, false, fourLinks, 2)
	now := time.Now()
	for _, c := range []*testCampaign{on, anon} {
		mode := On
		if c == anon {
			mode = Anonymous
		}
		for _, h := range []Hit{
			{Campaign: c.id, Link: 0, Delivery: c.deliveries[0], Mode: mode, Links: 4, At: now, Method: "GET", UserAgent: chrome},
			{Campaign: c.id, Link: 2, Delivery: c.deliveries[0], Mode: mode, Links: 4, At: now.Add(time.Minute), Method: "GET", UserAgent: chrome},
			{Campaign: c.id, Link: 1, Delivery: c.deliveries[1], Mode: mode, Links: 4, At: now, Method: "GET", UserAgent: chrome},
			{Campaign: c.id, Link: 1, Mode: mode, Links: 4, At: now, Method: "GET", UserAgent: chrome}, // no reader part
		} {
			if err := rec.Click(h); err != nil {
				t.Fatal(err)
			}
		}
	}
	rec.Flush()
	want := []storedClick{
		{Link: 0, Delivery: sql.NullInt64{Int64: on.deliveries[0], Valid: true}},
		{Link: 2, Delivery: sql.NullInt64{Int64: on.deliveries[0], Valid: true}},
		{Link: 1, Delivery: sql.NullInt64{Int64: on.deliveries[1], Valid: true}},
		{Link: 1},
	}
	if diff := cmp.Diff(want, clicksOf(t, db.Read, on.id)); diff != "" {
		t.Errorf("'on' clicks (-want +got):\n%s", diff)
	}
	want = []storedClick{{Link: 0}, {Link: 2}, {Link: 1}, {Link: 1}}
	if diff := cmp.Diff(want, clicksOf(t, db.Read, anon.id)); diff != "" {
		t.Errorf("'anonymous' clicks (-want +got):\n%s", diff)
	}
	// Both modes count unique readers by the pseudonym, never by who.
	for _, c := range []*testCampaign{on, anon} {
		if n := count(t, db, `SELECT COUNT(DISTINCT clicker) FROM clicks WHERE campaign_id = ?`, c.id); n != 2 {
			t.Errorf("campaign %d: %d unique clickers, want 2", c.id, n)
		}
	}
	if n := count(t, db, `SELECT COUNT(*) FROM clicks a JOIN clicks b ON a.clicker = b.clicker AND a.campaign_id <> b.campaign_id`); n != 0 {
		t.Errorf("%d clicks share a pseudonym across campaigns, want 0", n)
	}
}

func TestRecorderFlagsHeadAndScanners(t *testing.T) {
	db := openTestDB(t)
	rec := NewRecorder(db, testSecret, RecorderOptions{})
	defer rec.Close()
	c := newTestCampaign(t, db, On, false, fourLinks, 3)
	now := time.Now()
	for _, h := range []Hit{
		{Campaign: c.id, Link: 0, Delivery: c.deliveries[0], Mode: On, Links: 4, At: now, Method: "HEAD", UserAgent: chrome},
		{Campaign: c.id, Link: 0, Delivery: c.deliveries[1], Mode: On, Links: 4, At: now, Method: "GET", UserAgent: "Mozilla/5.0 (compatible; Barracuda Sentinel)"},
		{Campaign: c.id, Link: 0, Delivery: c.deliveries[2], Mode: On, Links: 4, At: now, Method: "GET", UserAgent: chrome},
	} {
		if err := rec.Click(h); err != nil {
			t.Fatal(err)
		}
	}
	rec.Flush()
	d := func(i int) sql.NullInt64 { return sql.NullInt64{Int64: c.deliveries[i], Valid: true} }
	want := []storedClick{
		{Link: 0, Delivery: d(0), Machine: true, Reason: ReasonHead},
		{Link: 0, Delivery: d(1), Machine: true, Reason: ReasonScanner},
		{Link: 0, Delivery: d(2)},
	}
	if diff := cmp.Diff(want, clicksOf(t, db.Read, c.id)); diff != "" {
		t.Errorf("clicks (-want +got):\n%s", diff)
	}
}

// A scanner that follows every link of a message within seconds, with a
// browser's user agent, is found from the third link on; the clicks it
// made before are flagged too, though they were stored already.
func TestRecorderFlagsABurstRetroactively(t *testing.T) {
	for _, mode := range []Mode{On, Anonymous} {
		t.Run(string(mode), func(t *testing.T) {
			db := openTestDB(t)
			rec := NewRecorder(db, testSecret, RecorderOptions{})
			defer rec.Close()
			c := newTestCampaign(t, db, mode, false, fourLinks, 2)
			now := time.Now()
			click := func(delivery, link int, at time.Time) {
				t.Helper()
				if err := rec.Click(Hit{Campaign: c.id, Link: link, Delivery: c.deliveries[delivery], Mode: mode, Links: 4, At: at, Method: "GET", UserAgent: chrome}); err != nil {
					t.Fatal(err)
				}
			}
			// A person: three links over a minute, one twice.
			click(1, 0, now)
			click(1, 0, now.Add(time.Second))
			click(1, 1, now.Add(30*time.Second))
			click(1, 2, now.Add(60*time.Second))
			// A scanner: link 0 stored in one batch, then the rest.
			click(0, 0, now)
			rec.Flush()
			click(0, 1, now.Add(300*time.Millisecond))
			click(0, 2, now.Add(600*time.Millisecond))
			click(0, 3, now.Add(900*time.Millisecond))
			rec.Flush()
			rows, err := db.Read.Query(`SELECT clicker IS NOT NULL, link_idx, machine, reason FROM clicks WHERE campaign_id = ? ORDER BY id`, c.id)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			type row struct {
				Link    int
				Machine bool
				Reason  string
			}
			var got []row
			for rows.Next() {
				var r row
				var hasClicker bool
				if err := rows.Scan(&hasClicker, &r.Link, &r.Machine, &r.Reason); err != nil {
					t.Fatal(err)
				}
				got = append(got, r)
			}
			want := []row{
				{0, false, ""}, {0, false, ""}, {1, false, ""}, {2, false, ""},
				{0, true, ReasonBurst}, {1, true, ReasonBurst}, {2, true, ReasonBurst}, {3, true, ReasonBurst},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("clicks (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRecorderRecordsOpensWithTheirProxies(t *testing.T) {
	db := openTestDB(t)
	rec := NewRecorder(db, testSecret, RecorderOptions{})
	defer rec.Close()
	c := newTestCampaign(t, db, Anonymous, true, fourLinks, 3)
	now := time.Now()
	for i, ua := range []string{"Mozilla/5.0", "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)", "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.10.1"} {
		if err := rec.Open(Hit{Campaign: c.id, Delivery: c.deliveries[i], Mode: Anonymous, At: now, Method: "GET", UserAgent: ua}); err != nil {
			t.Fatal(err)
		}
	}
	rec.Flush()
	rows, err := db.Read.Query(`SELECT delivery_id IS NULL, opener IS NOT NULL, machine, reason FROM opens WHERE campaign_id = ? ORDER BY id`, c.id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var noDelivery, hasOpener, machine bool
		var reason string
		if err := rows.Scan(&noDelivery, &hasOpener, &machine, &reason); err != nil {
			t.Fatal(err)
		}
		if !noDelivery || !hasOpener {
			t.Errorf("anonymous open: delivery stored %v, pseudonym stored %v; want false, true", !noDelivery, hasOpener)
		}
		got = append(got, map[bool]string{true: "machine ", false: "person "}[machine]+reason)
	}
	want := []string{"machine apple-proxy", "machine google-proxy", "person "}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("opens (-want +got):\n%s", diff)
	}
}

// Erasing a reader keeps their clicks and opens in the counts but drops
// what tied them to the reader.
func TestErasureKeepsCountsButDropsTheDelivery(t *testing.T) {
	db := openTestDB(t)
	rec := NewRecorder(db, testSecret, RecorderOptions{})
	defer rec.Close()
	c := newTestCampaign(t, db, On, true, fourLinks, 2)
	now := time.Now()
	for _, d := range c.deliveries {
		rec.Click(Hit{Campaign: c.id, Link: 0, Delivery: d, Mode: On, Links: 4, At: now, Method: "GET", UserAgent: chrome})
		rec.Open(Hit{Campaign: c.id, Delivery: d, Mode: On, At: now, Method: "GET", UserAgent: chrome})
	}
	rec.Flush()
	if err := subscribers.NewStore(db).Erase(context.Background(), c.subs[0]); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"clicks", "opens"} {
		if n := count(t, db, `SELECT COUNT(*) FROM `+table+` WHERE campaign_id = ?`, c.id); n != 2 {
			t.Errorf("%s after erasure: %d, want 2", table, n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM `+table+` WHERE delivery_id = ?`, c.deliveries[0]); n != 0 {
			t.Errorf("%s still name the erased reader's delivery %d times", table, n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM `+table+` WHERE delivery_id = ?`, c.deliveries[1]); n != 1 {
			t.Errorf("%s of the other reader: %d name the delivery, want 1", table, n)
		}
	}
	// The erased reader's old mail still counts, without them; and a
	// click on a deleted campaign fails only itself.
	gone := newTestCampaign(t, db, On, false, fourLinks, 0)
	if _, err := db.Write.Exec(`DELETE FROM campaigns WHERE id = ?`, gone.id); err != nil {
		t.Fatal(err)
	}
	rec.Click(Hit{Campaign: gone.id, Link: 0, Mode: On, Links: 4, At: now, Method: "GET", UserAgent: chrome})
	rec.Click(Hit{Campaign: c.id, Link: 1, Delivery: c.deliveries[0], Mode: On, Links: 4, At: now, Method: "GET", UserAgent: chrome})
	rec.Open(Hit{Campaign: c.id, Delivery: c.deliveries[0], Mode: On, At: now, Method: "GET", UserAgent: chrome})
	rec.Flush()
	if n := count(t, db, `SELECT COUNT(*) FROM clicks WHERE campaign_id = ? AND link_idx = 1 AND delivery_id IS NULL AND clicker IS NOT NULL`, c.id); n != 1 {
		t.Errorf("%d clicks after erasure stored without the delivery, want 1", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM opens WHERE campaign_id = ?`, c.id); n != 3 {
		t.Errorf("%d opens after erasure, want 3", n)
	}
}

// Close writes what is buffered: a shutdown loses no click.
func TestRecorderCloseWritesWhatIsBuffered(t *testing.T) {
	db := openTestDB(t)
	var mu sync.Mutex
	perLink := map[int]int{}
	rec := NewRecorder(db, testSecret, RecorderOptions{Buffer: 64, OnBatch: func(counts []LinkCount) {
		mu.Lock()
		defer mu.Unlock()
		for _, lc := range counts {
			perLink[lc.Link] += lc.Clicks
		}
	}})
	c := newTestCampaign(t, db, Anonymous, false, fourLinks, 1)
	const n = 2000
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < n; i += 8 {
				if err := rec.Click(Hit{Campaign: c.id, Link: i % 4, Mode: Anonymous, Links: 4, At: time.Now(), Method: "GET", UserAgent: chrome}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if got := count(t, db, `SELECT COUNT(*) FROM clicks`); got != n {
		t.Errorf("%d clicks stored after Close, want %d", got, n)
	}
	if diff := cmp.Diff(map[int]int{0: n / 4, 1: n / 4, 2: n / 4, 3: n / 4}, perLink); diff != "" {
		t.Errorf("clicks per link given to OnBatch (-want +got):\n%s", diff)
	}
	if err := rec.Click(Hit{Campaign: c.id, Mode: Anonymous, At: time.Now()}); !errors.Is(err, ErrClosed) {
		t.Errorf("Click after Close = %v, want ErrClosed", err)
	}
}
