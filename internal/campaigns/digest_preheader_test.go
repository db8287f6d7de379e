package campaigns_test

import (
	"context"
	"html"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A digestStory is an article of a digest sent in these tests.
type digestStory struct {
	title, summary string
	published      time.Time
}

// digestInboxLine runs the daily digest of list "Daily News" over
// stories, sends it to its one reader as serve does, and returns the
// mail's subject and the preheader its HTML part holds, unescaped.
func digestInboxLine(t *testing.T, stories []digestStory) (subject, pre string) {
	t.Helper()
	e := newGoldenEnv(t, "daily", "Daily News", "daily")
	campaigns.SetClock(e.svc.Store, func() time.Time { return time.Date(2026, 12, 5, 18, 0, 0, 0, time.UTC) })
	for i, s := range stories {
		id := e.exec(t, `INSERT INTO articles (url, title, summary, body, author, published_at, created_at) VALUES (?, ?, ?, '', '', ?, ?)`,
			"https://news.example/2026/12/story-"+string(rune('a'+i)), s.title, s.summary, s.published, sqlite.Now())
		e.exec(t, `INSERT INTO article_lists (article_id, list_id) VALUES (?, ?)`, id, e.list)
	}
	d, err := e.svc.RunDigest(context.Background(), "daily")
	if err != nil {
		t.Fatal(err)
	}
	if d.Articles != len(stories) {
		t.Fatalf("digest of %d articles, want %d", d.Articles, len(stories))
	}
	pm := mailtest.Parse(t, e.send(t))
	m := inboxLine.FindStringSubmatch(strings.NewReplacer("\r", "", "\n", "").Replace(pm.HTML))
	if m == nil {
		t.Fatalf("no preheader in the HTML part:\n%s", pm.HTML)
	}
	return d.Subject, html.UnescapeString(m[1])
}

// TestDigestPreheaderGoesOnFromTheSubject: the line an inbox shows beside
// a digest's subject tells what the subject does not. It read the text
// part's start: the count, list and publisher the subject names already,
// the dates, the top story the subject names too, and a byline's date cut
// off ("… & "tomorrow". 5…"). It now names the stories after the top
// one, each as a sentence, newest first, cut at a word with "…" within
// 120 characters and never after a number or date of which the rest was
// cut; it holds no article's date. A digest of one story gives its
// summary, and without one says what the mail is, with no date either.
func TestDigestPreheaderGoesOnFromTheSubject(t *testing.T) {
	day := func(d, h int) time.Time { return time.Date(2026, 12, d, h, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name    string
		stories []digestStory
		subject string
		want    string
	}{
		{name: "ten stories: the next headlines, cut before a number left half",
			stories: []digestStory{
				{title: `New pier opens <today> & "tomorrow"`, published: day(5, 9)},
				{title: "Christmas market dates set", published: day(5, 8)},
				{title: "Is the ferry late again?", published: day(5, 7)},
				{title: "Harbour wall repaired", published: day(5, 6)},
				{title: "Fares rise by 12 per cent from 1 January", published: day(5, 5)},
				{title: "Lifeboat crew rescues two", published: day(4, 9)},
				{title: "Café opens on the quay", published: day(4, 8)},
				{title: "Tide tables for 2027", published: day(4, 7)},
				{title: "Letters", published: day(4, 6)},
				{title: "Weather", published: day(4, 5)},
			},
			subject: `Daily News (10 new stories): New pier opens <today> & "tomorrow"`,
			want:    "Also: Christmas market dates set. Is the ferry late again? Harbour wall repaired. Fares rise by 12 per cent from…"},
		{name: "two stories: the other headline",
			stories: []digestStory{
				{title: "Newer: Christmas market dates set", published: day(5, 9)},
				{title: "Older: ferry timetable changes", published: day(4, 9)},
			},
			subject: "Daily News (2 new stories): Newer: Christmas market dates set",
			want:    "Also: Older: ferry timetable changes."},
		{name: "one story: its summary",
			stories: []digestStory{{title: "Bridge reopens after repairs", published: day(5, 9),
				summary: "After eight months of work the swing bridge carries traffic again. The council says the new bearings should last 40 years."}},
			subject: "Daily News (1 new story): Bridge reopens after repairs",
			want:    "After eight months of work the swing bridge carries traffic again. The council says the new bearings should last…"},
		{name: "one story without a summary: what the mail is",
			stories: []digestStory{{title: "Bridge reopens after repairs", published: day(5, 9)}},
			subject: "Daily News (1 new story): Bridge reopens after repairs",
			want:    "1 new story in Daily News from Harbour Gazette."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			subject, pre := digestInboxLine(t, tc.stories)
			if subject != tc.subject {
				t.Errorf("subject %q, want %q", subject, tc.subject)
			}
			if pre != tc.want {
				t.Errorf("preheader\n%q, want\n%q", pre, tc.want)
			}
			if n := utf8.RuneCountInString(pre); n > 120 {
				t.Errorf("preheader of %d characters, want at most 120", n)
			}
			if strings.Contains(pre, "December") || strings.Contains(pre, "2026") {
				t.Errorf("preheader %q holds a date", pre)
			}
		})
	}
}
