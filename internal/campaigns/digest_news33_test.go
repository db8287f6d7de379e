package campaigns_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// A list's first digest takes the articles published in the past week,
// not those added in it: an archive posted through the API today, dated
// weeks back, is not news. An article posted without a date is dated as
// it is added, so it is. The preview, which runs the build, shows the
// same articles, says how many it leaves out, and changes nothing.
func TestFirstDigestTakesTheArticlesPublishedInItsWeek(t *testing.T) {
	e := newDigestEnv(t)
	ctx := context.Background()
	store := articles.NewStore(e.db)
	news := e.list(t, "news", "daily", true)
	e.reader(t, "a@x.example", "confirmed", "daily", news)
	now := time.Now().UTC()
	post := func(title string, published time.Time) {
		t.Helper()
		url, lists := "https://news.example/"+strings.ReplaceAll(title, " ", "-"), []string{"news"}
		p := &articles.Patch{URL: &url, Title: &title, Lists: &lists}
		if !published.IsZero() {
			p.PublishedAt = &published
		}
		if _, err := store.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	post("Archive piece", now.Add(-90*24*time.Hour))
	post("Eight days old", now.Add(-8*24*time.Hour))
	post("This week", now.Add(-2*24*time.Hour))
	post("Undated notice", time.Time{})
	post("Not out yet", now.Add(time.Hour))

	p, err := e.svc.PreviewDigest(ctx, "news")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Undated notice", "This week"}
	if diff := cmp.Diff(want, previewTitles(p.Mails[0])); diff != "" {
		t.Errorf("preview's articles (-want +got):\n%s", diff)
	}
	if m := p.Mails[0]; !m.First || m.OldNews != 2 || m.NewsSince.Before(now.Add(-campaigns.FirstWindow-time.Minute)) || m.NewsSince.After(time.Now().Add(-campaigns.FirstWindow)) {
		t.Errorf("preview: first %v, %d old news, news since %v; want first, 2, a week ago", m.First, m.OldNews, m.NewsSince)
	}
	var marks int
	if err := e.db.Read.QueryRow(`SELECT COUNT(*) FROM digest_marks`).Scan(&marks); err != nil || marks != 0 {
		t.Fatalf("the preview left %d marks (%v)", marks, err)
	}

	d, err := e.svc.RunDigest(ctx, "news")
	if err != nil {
		t.Fatal(err)
	}
	if d.ID == 0 || d.Articles != 2 {
		t.Fatalf("first digest = %+v, want the 2 articles of the week", d)
	}
	var text string
	if err := e.db.Read.QueryRow(`SELECT body_text FROM campaigns WHERE id = ?`, d.ID).Scan(&text); err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"Archive piece", "Eight days old", "Not out yet"} {
		if strings.Contains(text, title) {
			t.Errorf("the first digest mails %q:\n%s", title, text)
		}
	}
}

// After its first, a digest takes the articles added to its list since
// the previous one that were published at most a week before it: one
// published just before the previous digest but added after it comes
// (so a late post is not lost, on a weekly list or one run by hand as on
// a daily one), a back-filled archive does not, nor later: no digest of
// the window mails it. An article held for its date comes when it is out.
func TestDigestLeavesOutArticlesPublishedLongBeforeItsWindow(t *testing.T) {
	const day = 24 * time.Hour
	monday := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	slot := monday.Add(8*time.Hour + 30*time.Second) // a digest's 08:00
	tests := []struct {
		name              string
		digest, frequency string
		period            time.Duration // from one digest of the window to the next
		byHand            bool
	}{
		{"daily", "daily", "daily", day, false},
		{"weekly", "weekly", "daily", 7 * day, false},
		{"weekly round-up of a daily list", "daily", "weekly", 7 * day, false},
		{"run by hand", "off", "daily", 30 * day, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSchedEnv(t, monday)
			ctx := context.Background()
			list := e.listAt(t, "news", tt.digest, 8, "monday", "UTC")
			e.reader(t, "r@x.example", "confirmed", tt.frequency, list)
			build := func(at time.Time) {
				t.Helper()
				if !tt.byHand {
					e.tick(t, at)
					return
				}
				e.clock = at
				if _, err := e.svc.RunDigest(ctx, "news"); err != nil {
					t.Fatal(err)
				}
			}
			added := func(title string, published, at time.Time) {
				t.Helper()
				id := e.exec(t, `INSERT INTO articles (url, title, summary, author, published_at, created_at) VALUES (?, ?, '', '', ?, ?)`,
					"https://news.example/"+strings.ReplaceAll(title, " ", "-"), title, published.UTC(), at.UTC())
				e.exec(t, `INSERT INTO article_lists (article_id, list_id) VALUES (?, ?)`, id, list)
			}

			first := slot
			added("Opening", first.Add(-time.Hour), first.Add(-time.Hour))
			build(first)
			if e.got(t, "r@x.example", "Opening") != 1 {
				t.Fatal("setup: the first digest lacks Opening")
			}
			after := first.Add(time.Hour)
			added("Back issue", first.Add(-60*day), after)
			added("Eight days before", first.Add(-8*day), after)
			added("Late news", first.Add(-2*day), after)
			added("Fresh news", first.Add(2*time.Hour), after)
			next := first.Add(tt.period)
			added("Scheduled", next.Add(time.Hour), after)

			if tt.digest == "daily" && tt.frequency == "daily" {
				// The preview runs the same build.
				e.clock = next
				p, err := e.svc.PreviewDigest(ctx, "news")
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff([]string{"Fresh news", "Late news"}, previewTitles(p.Mails[0])); diff != "" {
					t.Errorf("preview's articles (-want +got):\n%s", diff)
				}
				if m := p.Mails[0]; m.First || m.OldNews != 2 || !m.NewsSince.Equal(first.Add(-campaigns.FirstWindow)) {
					t.Errorf("preview: first %v, %d old news, news since %v; want a later digest, 2, %v",
						m.First, m.OldNews, m.NewsSince, first.Add(-campaigns.FirstWindow))
				}
			}

			build(next)
			build(next.Add(tt.period))
			for title, want := range map[string]int{
				"Opening": 1, "Late news": 1, "Fresh news": 1, "Scheduled": 1,
				"Back issue": 0, "Eight days before": 0,
			} {
				if n := e.got(t, "r@x.example", title); n != want {
					t.Errorf("%q in %d digests, want %d", title, n, want)
				}
			}
		})
	}
}
