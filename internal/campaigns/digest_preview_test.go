package campaigns_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue"
)

// previewState is every row a digest build reads or writes, as text: the
// marks, the holds, the notes of changes of frequency and the readers'
// windows, the campaigns and deliveries (and their ids to come).
func previewState(t *testing.T, e *schedEnv) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT list_id, last_digest_at, last_article_id FROM digest_marks ORDER BY list_id`,
		`SELECT list_id, last_digest_at, last_article_id FROM digest_rollup_marks ORDER BY list_id`,
		`SELECT list_id, marks, article_id FROM digest_holds ORDER BY 1, 2, 3`,
		`SELECT id, subscriber_id, frequency FROM frequency_switches ORDER BY id`,
		`SELECT subscriber_id, list_id, status, stream FROM subscriptions ORDER BY 1, 2`,
		`SELECT id, kind, subject, status, total FROM campaigns ORDER BY id`,
		`SELECT COUNT(*), COALESCE(SUM(campaign_id), 0) FROM deliveries`,
		`SELECT campaign_id, list_id FROM campaign_lists ORDER BY 1, 2`,
		`SELECT name, seq FROM sqlite_sequence ORDER BY name`,
	} {
		rows, err := e.db.Read.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, q[:strings.Index(q, " FROM")], vals)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// previewText is what a preview tells, as text.
func previewText(p *campaigns.DigestPreview) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s, %d for the round-up\n", p.List, p.Cadence, p.RoundUp)
	for _, m := range p.Mails {
		fmt.Fprintf(&b, "%s for %q, %s–%s: %q to %d, %d bytes of HTML\n", m.Cadence, m.For,
			m.WindowStart.Format(time.RFC3339Nano), m.WindowEnd.Format(time.RFC3339Nano), m.Subject, m.Readers, len(m.HTML))
		for _, a := range m.Articles {
			fmt.Fprintf(&b, "  %d %s %s %s %s\n", a.ID, a.Title, a.URL, a.Author, a.PublishedAt.Format(time.RFC3339))
		}
	}
	return b.String()
}

// previewTitles is the titles of m's articles, in order.
func previewTitles(m campaigns.DigestMail) []string {
	var out []string
	for _, a := range m.Articles {
		out = append(out, a.Title)
	}
	return out
}

// A wantMail is what a preview should say of one digest.
type wantMail struct {
	For     string
	Titles  []string
	Readers int
}

// TestPreviewDigestIsWhatTheRunSends previews a list's digest twice, in
// each of the ways a build picks articles and readers, and checks that
// the previews change nothing, say the same, and say what RunDigest then
// builds: the subject, the articles in order, the readers, and the mail
// itself, as the campaign page's preview of the digest shows it.
func TestPreviewDigestIsWhatTheRunSends(t *testing.T) {
	for _, tt := range []struct {
		name    string
		setup   func(t *testing.T) *freqEnv
		want    []wantMail
		roundUp int
	}{
		{
			name: "a daily list with a weekly reader and an article held for later",
			setup: func(t *testing.T) *freqEnv {
				e := newFreqEnv(t, "daily")
				e.days(t, 0, 2)                         // Story001-Story004; Tuesday's digest took Story003
				e.add(t, freqDay(2).Add(7*time.Hour))   // Story005
				e.add(t, freqDay(5).Add(12*time.Hour))  // Story006, out on Saturday
				e.clock = freqDay(2).Add(9 * time.Hour) // Wednesday
				return e
			},
			want:    []wantMail{{campaigns.ForDaily, []string{"Story005", "Story004"}, 1}},
			roundUp: 1,
		},
		{
			name: "a reader's change to daily, not settled yet",
			setup: func(t *testing.T) *freqEnv {
				e := newFreqEnv(t, "daily")
				e.reader(t, "s@x.example", "confirmed", "weekly", e.news)
				e.days(t, 0, 3) // Monday to Wednesday
				e.switchVia(t, "sql", "s@x.example", "daily", freqDay(2).Add(12*time.Hour))
				var noted int
				if err := e.db.Read.QueryRow(`SELECT COUNT(*) FROM frequency_switches`).Scan(&noted); err != nil || noted == 0 {
					t.Fatalf("setup: %d changes of frequency noted (%v), want the one to settle", noted, err)
				}
				e.add(t, freqDay(3).Add(7*time.Hour)) // Story007
				e.clock = freqDay(3).Add(9 * time.Hour)
				return e
			},
			want: []wantMail{
				{campaigns.ForDaily, []string{"Story007", "Story006"}, 1},
				// s's last round-up: since Monday's, the days they had no digest.
				{campaigns.ForChanging, []string{"Story007", "Story006", "Story005", "Story004", "Story003", "Story002"}, 1},
			},
			roundUp: 1, // w; s is in the daily window from this run
		},
		{
			name: "nothing new for the daily readers, a round-up for the reader changing to daily",
			setup: func(t *testing.T) *freqEnv {
				e := newFreqEnv(t, "daily")
				e.reader(t, "s@x.example", "confirmed", "weekly", e.news)
				e.days(t, 0, 3) // Story006, at 10:00 on Wednesday, is held at 09:00
				e.switchVia(t, "sql", "s@x.example", "daily", freqDay(2).Add(8*time.Hour+45*time.Minute))
				e.clock = freqDay(2).Add(9 * time.Hour)
				return e
			},
			want: []wantMail{
				{campaigns.ForDaily, nil, 0},
				{campaigns.ForChanging, []string{"Story005", "Story004", "Story003", "Story002"}, 1},
			},
			roundUp: 1,
		},
		{
			name: "a list that left daily keeps its weekly readers' round-up",
			setup: func(t *testing.T) *freqEnv {
				e := newFreqEnv(t, "daily")
				e.days(t, 0, 2)
				e.clock = freqDay(1).Add(12 * time.Hour)
				switchDigest(t, e.schedEnv, "news", "weekly")
				e.add(t, freqDay(2).Add(7*time.Hour)) // Story005
				e.clock = freqDay(2).Add(9 * time.Hour)
				return e
			},
			want: []wantMail{
				{campaigns.ForDaily, []string{"Story005", "Story004"}, 1},
				{campaigns.ForWeekly, []string{"Story005", "Story004", "Story003", "Story002"}, 1},
			},
		},
		{
			name: "a weekly list mails everybody",
			setup: func(t *testing.T) *freqEnv {
				e := newFreqEnv(t, "weekly")
				e.add(t, freqDay(0).Add(7*time.Hour))
				e.add(t, freqDay(1).Add(7*time.Hour))
				e.add(t, freqDay(9).Add(7*time.Hour)) // held
				e.clock = freqDay(2)
				return e
			},
			want: []wantMail{{campaigns.ForEverybody, []string{"Story002", "Story001"}, 2}},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.setup(t)
			q := switchQueue(e.schedEnv)
			ctx := context.Background()
			before := previewState(t, e.schedEnv)
			first, err := e.svc.PreviewDigest(ctx, "news")
			if err != nil {
				t.Fatal(err)
			}
			second, err := e.svc.PreviewDigest(ctx, "news")
			if err != nil {
				t.Fatal(err)
			}
			if after := previewState(t, e.schedEnv); after != before {
				t.Fatalf("previewing changed the database:\n%s\nwas:\n%s", after, before)
			}
			if tasks := q.take(queue.TypeCampaignFanout); len(tasks) != 0 {
				t.Errorf("previewing queued %d fan-outs", len(tasks))
			}
			if previewText(first) != previewText(second) {
				t.Errorf("the second preview says\n%s\nthe first\n%s", previewText(second), previewText(first))
			}
			if len(first.Mails) != len(tt.want) || first.RoundUp != tt.roundUp {
				t.Fatalf("preview:\n%s\nwant %+v, %d for the round-up", previewText(first), tt.want, tt.roundUp)
			}
			var sends []campaigns.DigestMail
			for i, w := range tt.want {
				m := first.Mails[i]
				if m.For != w.For || !slices.Equal(previewTitles(m), w.Titles) || m.Readers != w.Readers || m.Sends() != (w.Readers > 0) {
					t.Errorf("mail %d: for %q, %v, to %d; want for %q, %v, to %d", i, m.For, previewTitles(m), m.Readers, w.For, w.Titles, w.Readers)
				}
				if m.Sends() {
					sends = append(sends, m)
				}
			}

			last := switchLastDigest(t, e.schedEnv)
			d, err := e.svc.RunDigest(ctx, "news")
			if err != nil {
				t.Fatal(err)
			}
			// The answer is the digest of the list's own window, or the
			// other one when that made no campaign; both when both did.
			run := []*campaigns.Digest{d}
			if d.Other != nil {
				run = append(run, d.Other)
			}
			if made := switchDigestsAfter(t, e.schedEnv, last); len(made) != len(sends) || len(run) != len(sends) {
				t.Fatalf("the run made campaigns %v, answered %d digests; the preview said %d would go", made, len(run), len(sends))
			}
			for i, m := range sends {
				previewMatchesRun(t, e, m, run[i])
			}
		})
	}
}

// previewMatchesRun checks that the preview m tells what the run made as
// d: its window, subject, articles in order, readers, and mail.
func previewMatchesRun(t *testing.T, e *freqEnv, m campaigns.DigestMail, d *campaigns.Digest) {
	t.Helper()
	if d.ID == 0 || d.Cadence != m.Cadence || !d.WindowStart.Equal(m.WindowStart) || !d.WindowEnd.Equal(m.WindowEnd) {
		t.Errorf("run %+v; the preview said %s from %s to %s", d, m.Cadence, m.WindowStart, m.WindowEnd)
	}
	if d.Subject != m.Subject || d.Articles != len(m.Articles) || d.Recipients != m.Readers {
		t.Errorf("run: %q, %d articles to %d; the preview said %q, %d articles to %d",
			d.Subject, d.Articles, d.Recipients, m.Subject, len(m.Articles), m.Readers)
	}
	var text string
	var deliveries int
	if err := e.db.Read.QueryRow(`SELECT body_text, (SELECT COUNT(*) FROM deliveries WHERE campaign_id = c.id) FROM campaigns c WHERE id = ?`, d.ID).
		Scan(&text, &deliveries); err != nil {
		t.Fatal(err)
	}
	if deliveries != m.Readers {
		t.Errorf("the run made %d deliveries; the preview said %d readers", deliveries, m.Readers)
	}
	at := -1
	for _, a := range m.Articles {
		i := strings.Index(text, a.Title)
		if i <= at {
			t.Errorf("the run's digest has %s at %d, after %d; the preview listed it in order %v", a.Title, i, at, previewTitles(m))
		}
		at = i
	}
	html, err := e.svc.PreviewMail(context.Background(), d.ID, campaigns.SampleReader)
	if err != nil {
		t.Fatal(err)
	}
	if unbuilt(html, d.ID) != m.HTML {
		t.Errorf("the run's mail differs from the preview's:\n%s\npreview:\n%s", html, m.HTML)
	}
}

// unbuilt is the HTML part of campaign id's mail as a preview made before
// the campaign had its id shows it: linking to the archive's first page,
// not to the issue's own.
func unbuilt(html string, id int64) string {
	return strings.ReplaceAll(html, fmt.Sprintf(`/archive/%d"`, id), `/archive"`)
}

// TestPreviewDigestNothingToSend checks what a preview says when a run
// would send nothing: no new article, or no reader for them; and that an
// unknown list is not found.
func TestPreviewDigestNothingToSend(t *testing.T) {
	e := newFreqEnv(t, "daily")
	ctx := context.Background()
	e.days(t, 0, 1) // Monday's digest took Story001; Story002 is out at 10:00
	e.clock = freqDay(0).Add(9 * time.Hour)
	p, err := e.svc.PreviewDigest(ctx, "news")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Nothing() || p.Sends() || len(p.Mails) != 1 || p.Mails[0].HTML != "" || p.Mails[0].Subject != "" {
		t.Errorf("preview with nothing new:\n%s\nwant nothing to send", previewText(p))
	}

	quiet := e.listAt(t, "quiet", "daily", 8, "monday", "UTC")
	e.articleAt(t, quiet, "Lonely", freqDay(0).Add(7*time.Hour))
	before := previewState(t, e.schedEnv)
	p, err = e.svc.PreviewDigest(ctx, "quiet")
	if err != nil {
		t.Fatal(err)
	}
	if p.Nothing() || p.Sends() || len(p.Mails) != 1 || !slices.Equal(previewTitles(p.Mails[0]), []string{"Lonely"}) || p.Mails[0].Readers != 0 || p.Mails[0].HTML != "" ||
		p.Mails[0].Subject != "Harbour quiet (1 new story): Lonely" {
		t.Errorf("preview of a list with no reader:\n%s\nwant Lonely to nobody", previewText(p))
	}
	if after := previewState(t, e.schedEnv); after != before {
		t.Errorf("previewing a list with no reader changed the database:\n%s\nwas:\n%s", after, before)
	}

	if _, err := e.svc.PreviewDigest(ctx, "nope"); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Errorf("preview of an unknown list: %v, want not found", err)
	}
}
