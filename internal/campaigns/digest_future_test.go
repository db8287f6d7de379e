package campaigns_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// TestDigestHoldsFutureArticles: an article published in the future stays
// out of every digest until its time, then comes in the first digest after
// it, once; no digest's subject or dates show a future day. Moving a held
// article earlier brings it in sooner; moving a sent one later does not
// send it again.
func TestDigestHoldsFutureArticles(t *testing.T) {
	e := newDigestEnv(t)
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Second)
	clock := t0
	campaigns.SetClock(e.svc.Store, func() time.Time { return clock })
	news := e.list(t, "news", "daily", true)
	e.reader(t, "a@x.example", "confirmed", "daily", news)
	e.article(t, news, "Bridge reopens", t0.Add(-2*time.Hour))
	e.article(t, news, "Budget vote", t0.Add(3*24*time.Hour))
	e.article(t, news, "Ferry strike", t0.Add(30*time.Hour))

	run := func(when time.Time, want ...string) {
		t.Helper()
		clock = when
		d, err := e.svc.RunDigest(ctx, "news")
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			if d.ID != 0 || d.Articles != 0 {
				t.Errorf("digest at %s = %+v, want none", when, d)
			}
			return
		}
		if d.ID == 0 || d.Articles != len(want) {
			t.Fatalf("digest at %s = %+v, want %q", when, d, want)
		}
		var text, html string
		if err := e.db.Read.QueryRow(`SELECT body_text, body_html FROM campaigns WHERE id = ?`, d.ID).Scan(&text, &html); err != nil {
			t.Fatal(err)
		}
		for _, title := range []string{"Bridge reopens", "Budget vote", "Ferry strike"} {
			in := strings.Contains(text, title) && strings.Contains(html, title)
			if in != strings.Contains(strings.Join(want, "|"), title) {
				t.Errorf("digest at %s: has %q = %v, want %q\n%s", when, title, in, want, text)
			}
		}
		if !strings.Contains(d.Subject, ": "+want[0]) {
			t.Errorf("subject %q, want its top story %q", d.Subject, want[0])
		}
		// No day after the digest's own shows, in the range or a byline.
		for day := when.AddDate(0, 0, 1); day.Before(t0.AddDate(0, 0, 5)); day = day.AddDate(0, 0, 1) {
			future := regexp.MustCompile(`(^|\D)` + regexp.QuoteMeta(day.Format("2 January")) + `\b`)
			if future.MatchString(text) || future.MatchString(d.Subject) {
				t.Errorf("digest at %s shows the future day %s:\n%s", when, day.Format("2 January"), text)
			}
		}
	}

	run(t0, "Bridge reopens")
	// The editor brings the ferry story forward, and re-dates the bridge
	// story that went out already.
	e.exec(t, `UPDATE articles SET published_at = ? WHERE title = 'Ferry strike'`, t0.Add(2*time.Hour))
	e.exec(t, `UPDATE articles SET published_at = ? WHERE title = 'Bridge reopens'`, t0.Add(4*time.Hour))
	run(t0.Add(6*time.Hour), "Ferry strike")
	run(t0.Add(24 * time.Hour))
	run(t0.Add(3*24*time.Hour+time.Hour), "Budget vote")
	run(t0.Add(4 * 24 * time.Hour))
}

// TestDigestFirstRunHoldsFutureArticles: a list's first digest takes a
// scheduled article added long ago when its time comes, not never.
func TestDigestFirstRunHoldsFutureArticles(t *testing.T) {
	e := newDigestEnv(t)
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Second)
	clock := t0
	campaigns.SetClock(e.svc.Store, func() time.Time { return clock })
	news := e.list(t, "news", "daily", true)
	e.reader(t, "a@x.example", "confirmed", "daily", news)
	id := e.exec(t, `INSERT INTO articles (url, title, published_at, created_at) VALUES ('https://news.example/anniversary', 'Anniversary', ?, ?)`,
		t0.Add(time.Hour), t0.Add(-30*24*time.Hour))
	e.exec(t, `INSERT INTO article_lists (article_id, list_id) VALUES (?, ?)`, id, news)
	if d, err := e.svc.RunDigest(ctx, "news"); err != nil || d.ID != 0 {
		t.Fatalf("first digest = %+v, %v; want none: its one article is not out yet", d, err)
	}
	clock = t0.Add(2 * time.Hour)
	d, err := e.svc.RunDigest(ctx, "news")
	if err != nil || d.ID == 0 || d.Articles != 1 {
		t.Fatalf("digest after its time = %+v, %v; want the article", d, err)
	}
}
