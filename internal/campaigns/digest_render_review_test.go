package campaigns_test

import (
	"context"
	"strings"
	"testing"
	"time"
)

// An article with no summary and no body (a feed item with only a title
// and a link) left an empty paragraph in the digest's HTML, with its
// margin, and two blank lines in the text part, where the summary would
// have been.
func TestDigestArticleWithoutSummary(t *testing.T) {
	e := newDigestEnv(t)
	ctx := context.Background()
	news := e.list(t, "news", "daily", true)
	e.reader(t, "r@x.example", "confirmed", "daily", news)
	now := time.Now().UTC()
	for _, a := range []struct{ title, summary string }{{"Lighthouse open day", ""}, {"Ferry times", "Ferries leave earlier."}} {
		id := e.exec(t, `INSERT INTO articles (url, title, summary, author, published_at, created_at) VALUES (?, ?, ?, '', ?, ?)`,
			"https://quay.example/"+strings.ReplaceAll(a.title, " ", "-"), a.title, a.summary, now.Add(-time.Hour), now)
		e.exec(t, `INSERT INTO article_lists (article_id, list_id) VALUES (?, ?)`, id, news)
	}
	d, err := e.svc.RunDigest(ctx, "news")
	if err != nil || d.ID == 0 {
		t.Fatalf("digest: %+v, %v", d, err)
	}
	var html, text string
	if err := e.db.Read.QueryRow(`SELECT body_html, body_text FROM campaigns WHERE id = ?`, d.ID).Scan(&html, &text); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, `line-height:26px;"></p>`) {
		t.Errorf("the HTML has an empty summary paragraph:\n%s", html)
	}
	if strings.Contains(text, "\n\n\n") {
		t.Errorf("the text part has two blank lines in a row:\n%s", text)
	}
	if !strings.Contains(text, "\n\nFerries leave earlier.\n") {
		t.Errorf("the text part lost the other article's summary:\n%s", text)
	}
}

// A word longer than a phone's screen (a URL in a feed's summary, a
// slug for a title) widened the digest past the screen: at 390 px the
// mail was 463 px wide, and mail programs shrink or scroll it. Each
// article's cell breaks such words.
func TestDigestArticleBreaksLongWords(t *testing.T) {
	e := newDigestEnv(t)
	news := e.list(t, "news", "daily", true)
	e.reader(t, "r@x.example", "confirmed", "daily", news)
	e.article(t, news, "Harbour-redevelopment-masterplan-2026-final-version-approved", time.Now().Add(-time.Hour))
	d, err := e.svc.RunDigest(context.Background(), "news")
	if err != nil || d.ID == 0 {
		t.Fatalf("digest: %+v, %v", d, err)
	}
	var html string
	if err := e.db.Read.QueryRow(`SELECT body_html FROM campaigns WHERE id = ?`, d.ID).Scan(&html); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html, `<tr><td class="rule" style="padding:22px 0 20px;border-top:1px solid #e5e7eb;word-break:break-word;overflow-wrap:anywhere;">`) {
		t.Errorf("the article's cell does not break long words:\n%s", html)
	}
}

// The text part's first line, "3 new stories in … from …, 18–20 November
// 2026.", was one line whatever the names made of it: 80 to 100 columns
// for a list and publication with ordinary names, where the summaries
// below are wrapped at 72.
func TestDigestTextIntroIsWrapped(t *testing.T) {
	e := newDigestEnv(t)
	news := e.list(t, "quayside-morning-briefing", "daily", true)
	e.reader(t, "r@x.example", "confirmed", "daily", news)
	published := time.Now().Add(-time.Hour)
	e.article(t, news, "Ferry times", published)
	d, err := e.svc.RunDigest(context.Background(), "quayside-morning-briefing")
	if err != nil || d.ID == 0 {
		t.Fatalf("digest: %+v, %v", d, err)
	}
	text := e.digestText(t, d.ID)
	intro, _, _ := strings.Cut(text, "\n\n")
	for _, line := range strings.Split(intro, "\n") {
		if n := len([]rune(line)); n > 72 {
			t.Errorf("intro line of %d columns, want at most 72: %q", n, line)
		}
	}
	if !strings.HasPrefix(intro, "1 new story in Harbour quayside-morning-briefing from ") || !strings.HasSuffix(intro, published.UTC().Format("2 January 2006")+".") {
		t.Errorf("intro = %q, want the count, list, publication and date", intro)
	}
}
