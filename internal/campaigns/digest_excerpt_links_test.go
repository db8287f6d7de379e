package campaigns_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// An article without a summary is shown in a digest by the start of its
// body: the links in it keep their targets, as a link in the HTML part
// and as "label (URL)" in the text part, as a campaign's text part
// writes them. They read "More at site." with the target gone. A relative
// link is resolved against the article's URL; a link the sanitiser would
// drop stays text.
func TestDigestExcerptKeepsLinkTargets(t *testing.T) {
	e := newGoldenEnv(t, "quayside", "Quayside Café", "daily")
	bodies := []string{
		"Winds too **strong**. More at [site](https://harbour.example).",
		"See [the timetable](/ferry?x=1&y=2), [mail us](mailto:desk@harbour.example) or [this](javascript:alert(1)).",
	}
	for i, body := range bodies {
		id := e.exec(t, `INSERT INTO articles (url, title, summary, body, published_at, created_at) VALUES (?, ?, '', ?, ?, ?)`,
			"https://news.example/"+string(rune('a'+i)), "Story "+string(rune('A'+i)), body, time.Now().Add(-time.Duration(i+1)*time.Hour), sqlite.Now())
		e.exec(t, `INSERT INTO article_lists (article_id, list_id) SELECT ?, id FROM lists WHERE slug = 'quayside'`, id)
	}
	if d, err := e.svc.RunDigest(context.Background(), "quayside"); err != nil || d.Articles != len(bodies) {
		t.Fatalf("digest %+v, %v: want %d articles", d, err, len(bodies))
	}
	pm := mailtest.Parse(t, e.send(t))
	text := strings.ReplaceAll(pm.Text, "\r\n", "\n")
	for _, want := range []string{
		"Winds too strong. More at site (https://harbour.example).",
		"See the timetable (https://news.example/ferry?x=1&y=2), mail us\n(desk@harbour.example) or this.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text part lacks %q:\n%s", want, text)
		}
	}
	html := strings.ReplaceAll(pm.HTML, "\r\n", "\n")
	for _, want := range []string{
		`Winds too strong. More at <a href="https://harbour.example" `,
		`>site</a>.`,
		`See <a href="https://news.example/ferry?x=1&amp;y=2" `,
		`>the timetable</a>, <a href="mailto:desk@harbour.example" `,
		`>mail us</a> or this.`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML part lacks %q:\n%s", want, html)
		}
	}
	if strings.Contains(html, "javascript:") {
		t.Errorf("HTML part links to javascript::\n%s", html)
	}
}
