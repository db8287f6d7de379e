package tracking

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/subscribers"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func setStarted(t *testing.T, db *sqlite.DB, campaign int64, at time.Time) {
	t.Helper()
	if _, err := db.Write.Exec(`UPDATE campaigns SET started_at = ? WHERE id = ?`, at, campaign); err != nil {
		t.Fatal(err)
	}
}

func hits(t *testing.T, rec *Recorder, open bool, hs ...Hit) {
	t.Helper()
	for _, h := range hs {
		var err error
		if open {
			err = rec.Open(h)
		} else {
			err = rec.Click(h)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	rec.Flush()
}

// knownCampaign has 3 readers (plus 2 deliveries folded away) and two
// links: reader 0 clicks link 0 twice, reader 1 link 1 two hours later, a
// scanner follows link 0, and link 1 is followed once from the archive
// (no reader part); reader 0 opens, Apple's proxy fetches reader 1's
// pixel.
func knownCampaign(t *testing.T, db *sqlite.DB) *testCampaign {
	t.Helper()
	rec := NewRecorder(db, testSecret, RecorderOptions{})
	defer rec.Close()
	c := newTestCampaign(t, db, On, true, []string{"https://a.test/one", "https://a.test/two"}, 3)
	setStarted(t, db, c.id, t0)
	if _, err := db.Write.Exec(`UPDATE campaigns SET folded_sent = 2 WHERE id = ?`, c.id); err != nil {
		t.Fatal(err)
	}
	hit := func(link, reader int, at time.Duration, method, ua string) Hit {
		h := Hit{Campaign: c.id, Link: link, Mode: On, Links: 2, At: t0.Add(at), Method: method, UserAgent: ua}
		if reader >= 0 {
			h.Delivery = c.deliveries[reader]
		}
		return h
	}
	hits(t, rec, false,
		hit(0, 0, 10*time.Minute, "GET", chrome),
		hit(0, 0, 20*time.Minute, "GET", chrome),
		hit(1, 1, 2*time.Hour+10*time.Minute, "GET", chrome),
		hit(0, 2, 2*time.Hour+15*time.Minute, "HEAD", chrome),
		hit(1, -1, 2*time.Hour+20*time.Minute, "GET", chrome),
	)
	hits(t, rec, true,
		hit(0, 0, 5*time.Minute, "GET", chrome),
		hit(0, 1, 5*time.Minute, "GET", "Mozilla/5.0"),
	)
	return c
}

func TestCampaignReportCountsPeopleApartFromMachines(t *testing.T) {
	db := openTestDB(t)
	c := knownCampaign(t, db)
	got, err := NewReports(db).Campaign(context.Background(), c.id)
	if err != nil {
		t.Fatal(err)
	}
	want := &CampaignReport{
		ID: c.id, Subject: "Test", Kind: "campaign", Tracking: "on", StartedAt: &t0,
		Delivered: 5, Clickers: 2, Clicks: 4, ClickRate: 0.4, Opens: 1, Openers: 1,
		MachineClicks: 1, MachineOpens: 1,
		Links: []LinkReport{
			{Index: 0, URL: "https://a.test/one", Clicks: 2, Clickers: 1},
			{Index: 1, URL: "https://a.test/two", Clicks: 2, Clickers: 1},
		},
		Series: []Bucket{
			{At: t0, Span: "hour", Clicks: 2, Opens: 1},
			{At: t0.Add(time.Hour), Span: "hour"},
			{At: t0.Add(2 * time.Hour), Span: "hour", Clicks: 2},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}

func TestCampaignReportSeriesIsHourlyFor48HoursThenDaily(t *testing.T) {
	db := openTestDB(t)
	rec := NewRecorder(db, testSecret, RecorderOptions{})
	defer rec.Close()
	c := newTestCampaign(t, db, Anonymous, false, []string{"https://a.test/"}, 1)
	start := t0.Add(30 * time.Minute) // 09:30: the hours count from 09:00
	setStarted(t, db, c.id, start)
	for _, at := range []time.Duration{time.Hour, 47*time.Hour + 30*time.Minute, 72 * time.Hour, 72*time.Hour + 5*time.Minute} {
		hits(t, rec, false, Hit{Campaign: c.id, Link: 0, Mode: Anonymous, Links: 1, At: start.Add(at), Method: "GET", UserAgent: chrome})
	}
	r, err := NewReports(db).Campaign(context.Background(), c.id)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Series) != 50 {
		t.Fatalf("%d buckets, want 48 hours and 2 days: %+v", len(r.Series), r.Series)
	}
	want := []Bucket{
		{At: t0, Span: "hour"},
		{At: t0.Add(time.Hour), Span: "hour", Clicks: 1},
	}
	if diff := cmp.Diff(want, r.Series[:2]); diff != "" {
		t.Errorf("first hours (-want +got):\n%s", diff)
	}
	// The last hour is 08:00 two days on.
	want = []Bucket{
		{At: t0.Add(47 * time.Hour), Span: "hour"},
		// From 48 h on, by day: the first one from the end of the hours
		// to midnight, then whole days.
		{At: t0.Add(48 * time.Hour), Span: "day", Clicks: 1},
		{At: time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC), Span: "day", Clicks: 2},
	}
	got := []Bucket{r.Series[47], r.Series[48], r.Series[49]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("buckets (-want +got):\n%s", diff)
	}
}

// newDigest is a sent digest of list with links to articles (0 for a
// link to no article).
func newDigest(t *testing.T, db *sqlite.DB, list int64, started time.Time, readers int, articles ...int64) *testCampaign {
	t.Helper()
	links := make([]string, len(articles))
	for i := range links {
		links[i] = "https://news.test/" + string(rune('a'+i))
	}
	c := newTestCampaign(t, db, Anonymous, false, links, readers)
	setStarted(t, db, c.id, started)
	for _, q := range []string{`UPDATE campaigns SET kind = 'digest' WHERE id = ?`, `INSERT INTO campaign_lists (campaign_id, list_id) VALUES (?, ?)`} {
		args := []any{c.id}
		if q[0] == 'I' {
			args = append(args, list)
		}
		if _, err := db.Write.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	for i, a := range articles {
		if a == 0 {
			continue
		}
		if _, err := db.Write.Exec(`UPDATE campaign_links SET article_id = ? WHERE campaign_id = ? AND idx = ?`, a, c.id, i); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func newArticle(t *testing.T, db *sqlite.DB, title string) int64 {
	t.Helper()
	now := sqlite.Now()
	res, err := db.Write.Exec(`INSERT INTO articles (url, title, published_at, created_at) VALUES (?, ?, ?, ?)`,
		"https://news.test/"+title, title, now, now)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	return id
}

func newList(t *testing.T, db *sqlite.DB, slug string) int64 {
	t.Helper()
	now := sqlite.Now()
	res, err := db.Write.Exec(`INSERT INTO lists (slug, name, created_at) VALUES (?, ?, ?)`, slug, slug, now)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	return id
}

// clicksOn records n clicks by reader (a delivery index) on link of c.
func clicksOn(t *testing.T, rec *Recorder, c *testCampaign, link, reader, n int, at time.Time) {
	t.Helper()
	for i := range n {
		hits(t, rec, false, Hit{Campaign: c.id, Link: link, Delivery: c.deliveries[reader], Mode: Anonymous, Links: 10,
			At: at.Add(time.Duration(i) * time.Hour), Method: "GET", UserAgent: chrome})
	}
}

func TestDigestReportCountsClicksPerArticle(t *testing.T) {
	db := openTestDB(t)
	rec := NewRecorder(db, testSecret, RecorderOptions{})
	defer rec.Close()
	list := newList(t, db, "news")
	bridge, tide := newArticle(t, db, "Bridge"), newArticle(t, db, "Tide")
	// Link 2 is the bridge article's picture: its clicks are the article's.
	d := newDigest(t, db, list, t0, 2, bridge, tide, bridge, 0)
	// Minutes apart: a reader following links within seconds is a burst.
	clicksOn(t, rec, d, 0, 0, 1, t0)
	clicksOn(t, rec, d, 2, 0, 1, t0.Add(time.Minute))
	clicksOn(t, rec, d, 2, 1, 1, t0.Add(2*time.Minute))
	clicksOn(t, rec, d, 1, 1, 1, t0.Add(3*time.Minute))
	clicksOn(t, rec, d, 3, 1, 1, t0.Add(4*time.Minute))
	r, err := NewReports(db).Campaign(context.Background(), d.id)
	if err != nil {
		t.Fatal(err)
	}
	want := []ArticleReport{
		{ID: bridge, Title: "Bridge", URL: "https://news.test/Bridge", Clicks: 3, Clickers: 2},
		{ID: tide, Title: "Tide", URL: "https://news.test/Tide", Clicks: 1, Clickers: 1},
	}
	if diff := cmp.Diff(want, r.Articles); diff != "" {
		t.Errorf("articles (-want +got):\n%s", diff)
	}
	if r.Clicks != 5 || r.Kind != "digest" {
		t.Errorf("clicks = %d, kind %q; want 5, digest", r.Clicks, r.Kind)
	}
}

func TestListReportRanksArticlesAcrossDigests(t *testing.T) {
	db := openTestDB(t)
	rec := NewRecorder(db, testSecret, RecorderOptions{})
	defer rec.Close()
	news, other := newList(t, db, "news"), newList(t, db, "other")
	a, b, c, old := newArticle(t, db, "A"), newArticle(t, db, "B"), newArticle(t, db, "C"), newArticle(t, db, "Old")
	now := t0.Add(10 * 24 * time.Hour)
	d1 := newDigest(t, db, news, now.Add(-9*24*time.Hour), 2, a, b)
	d2 := newDigest(t, db, news, now.Add(-2*24*time.Hour), 2, a, c)
	d3 := newDigest(t, db, news, now.Add(-40*24*time.Hour), 2, old) // before the window
	d4 := newDigest(t, db, other, now.Add(-24*time.Hour), 2, c)     // another list's
	clicksOn(t, rec, d1, 0, 0, 1, d1Start(now, 9))
	clicksOn(t, rec, d1, 1, 0, 2, d1Start(now, 9))
	clicksOn(t, rec, d1, 1, 1, 1, d1Start(now, 9))
	clicksOn(t, rec, d2, 0, 0, 2, d1Start(now, 2))
	clicksOn(t, rec, d2, 0, 1, 1, d1Start(now, 2))
	clicksOn(t, rec, d3, 0, 0, 9, d1Start(now, 40))
	clicksOn(t, rec, d4, 0, 0, 9, d1Start(now, 1))
	reports := NewReports(db)
	reports.Now = func() time.Time { return now }
	got, err := reports.List(context.Background(), "news", 30)
	if err != nil {
		t.Fatal(err)
	}
	want := &ListReport{List: "news", Days: 30, Since: now.Add(-30 * 24 * time.Hour), Digests: 2, Articles: []ArticleReport{
		{ID: a, Title: "A", URL: "https://news.test/A", Clicks: 4, Clickers: 3, Digests: 2},
		{ID: b, Title: "B", URL: "https://news.test/B", Clicks: 3, Clickers: 2, Digests: 1},
		{ID: c, Title: "C", URL: "https://news.test/C", Clicks: 0, Clickers: 0, Digests: 1},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("list report (-want +got):\n%s", diff)
	}
	if _, err := reports.List(context.Background(), "nope", 30); err == nil {
		t.Error("a report of a list that does not exist: no error")
	}
}

func d1Start(now time.Time, daysAgo int) time.Time {
	return now.Add(-time.Duration(daysAgo)*24*time.Hour + time.Hour)
}

// Erasing a reader drops the click's link to their delivery, never a
// count: the report reads the same after.
func TestErasingAReaderKeepsTheReportsCounts(t *testing.T) {
	db := openTestDB(t)
	c := knownCampaign(t, db)
	reports := NewReports(db)
	before, err := reports.Campaign(context.Background(), c.id)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM clicks WHERE delivery_id = ?`, c.deliveries[0]); n != 2 {
		t.Fatalf("reader 0 has %d clicks linked, want 2", n)
	}
	store := subscribers.NewStore(db)
	store.SetSecret(testSecret)
	for _, sub := range c.subs[:2] {
		if err := store.Erase(context.Background(), sub); err != nil {
			t.Fatal(err)
		}
	}
	after, err := reports.Campaign(context.Background(), c.id)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("report after erasing two readers (-before +after):\n%s", diff)
	}
	// Only reader 2's (the scanner's) click still names its delivery.
	if n := count(t, db, `SELECT COUNT(*) FROM clicks WHERE campaign_id = ? AND delivery_id IS NOT NULL`, c.id); n != 1 {
		t.Errorf("%d clicks name a delivery after erasing readers 0 and 1, want 1 (reader 2's)", n)
	}
}
