package campaigns_test

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// TestDigestTextWrapsTitles: a digest's text part keeps its lines within
// 72 columns (EMAIL.md), as its summaries are, also for a title of up to
// the 300 characters a feed may give and for an author of up to 200: the
// title wrapped, its lines after the first indented, above its URL, which
// stays whole on its own line however long; the byline wrapped the same
// way. Only a word longer than a line may stand alone on a longer one.
// The mail is sent as serve sends it and read back from the wire.
func TestDigestTextWrapsTitles(t *testing.T) {
	long := "Harbour authority approves the long-delayed dredging of the inner basin, new pontoons for " +
		"visiting yachts, a lifeboat slipway and a footbridge to the north pier after three years of consultation today"
	word := strings.Repeat("quay", 22) + "si"
	articles := []struct {
		title, url, author string
		published          time.Time
	}{
		{long, "https://news.example/2026/11/dredging", "Maren Holt",
			time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)},
		{"Readers name the new pontoon " + word + " after a vote that ran all week",
			"https://news.example/2026/11/readers-name-the-new-pontoon-after-a-vote-that-ran-all-week-at-the-harbour-office",
			"Ívar Lindqvist, Maren Holt, Tobias Quayle, Priya Anand and the Harbour Gazette newsroom",
			time.Date(2026, 11, 19, 9, 0, 0, 0, time.UTC)},
		{"Café crème et thé à l’été : 港口渡轮冬季时刻表 公布 — the ferry’s winter timetable in French, Chinese and Japanese 「フェリー時刻表」",
			"https://news.example/2026/11/timetable", "",
			time.Date(2026, 11, 18, 9, 0, 0, 0, time.UTC)},
	}
	if n := utf8.RuneCountInString(long); n != 200 {
		t.Fatalf("long title has %d runes, want 200", n)
	}
	if len(word) != 90 {
		t.Fatalf("long word has %d characters, want 90", len(word))
	}

	e := newGoldenEnv(t, "harbour", "Harbour Notes", "daily")
	campaigns.SetClock(e.svc.Store, func() time.Time { return time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC) }) // the articles are news then
	for _, a := range articles {
		id := e.exec(t, `INSERT INTO articles (url, title, summary, author, published_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			a.url, a.title, "The harbour board met on Tuesday.", a.author, a.published, sqlite.Now())
		e.exec(t, `INSERT INTO article_lists (article_id, list_id) SELECT ?, id FROM lists WHERE slug = 'harbour'`, id)
	}
	if _, err := e.svc.RunDigest(context.Background(), "harbour"); err != nil {
		t.Fatal(err)
	}
	text := mailtest.Parse(t, e.send(t)).Text
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i, l := range lines {
		if utf8.RuneCountInString(l) > 72 && len(strings.Fields(l)) > 1 {
			t.Errorf("line %d has %d columns, more than 72:\n%s", i+1, utf8.RuneCountInString(l), l)
		}
	}

	for _, a := range articles {
		at := -1
		for i, l := range lines {
			if l == a.url {
				at = i
			}
		}
		if at < 0 {
			t.Errorf("text part lacks %s whole on a line of its own:\n%s", a.url, text)
			continue
		}
		byline := a.published.Format("2 January 2006")
		if a.author != "" {
			byline = "By " + a.author + " · " + byline
		}
		checkHanging(t, "title", a.title, paragraphBefore(lines, at))
		checkHanging(t, "byline", byline, paragraphAfter(lines, at))
	}
}

// paragraphBefore is the lines before lines[i] up to a blank one.
func paragraphBefore(lines []string, i int) []string {
	start := i
	for start > 0 && strings.TrimSpace(lines[start-1]) != "" {
		start--
	}
	return lines[start:i]
}

// paragraphAfter is the lines after lines[i] up to a blank one.
func paragraphAfter(lines []string, i int) []string {
	end := i + 1
	for end < len(lines) && strings.TrimSpace(lines[end]) != "" {
		end++
	}
	return lines[i+1 : end]
}

// checkHanging checks that got, the lines of a title or a byline, hold
// the words of want unchanged and in order, the first line at the margin
// and the others indented by two spaces.
func checkHanging(t *testing.T, what, want string, got []string) {
	t.Helper()
	if len(got) == 0 {
		t.Errorf("no %s %q", what, want)
		return
	}
	if g, w := strings.Fields(strings.Join(got, " ")), strings.Fields(want); strings.Join(g, " ") != strings.Join(w, " ") {
		t.Errorf("%s reads %q, want %q", what, strings.Join(g, " "), want)
	}
	for i, l := range got {
		indented := strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "   ")
		if i == 0 && strings.HasPrefix(l, " ") || i > 0 && !indented {
			t.Errorf("%s line %d is %q: want the first at the margin, the others behind two spaces:\n%s", what, i+1, l, strings.Join(got, "\n"))
		}
	}
}
