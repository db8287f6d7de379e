package campaigns_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// readMore matches a digest's "Read more" link: its attributes, then its
// text.
var readMore = regexp.MustCompile(`<a ([^>]*)>Read more&nbsp;→</a>`)

// Each story's "Read more" link of a digest has an accessible name of its
// own, naming the story after the words shown ("Read more: Bridge
// reopens"): a screen reader's list of links read "Read more" once for
// every story, nine times alike. The text part names each story, its URL
// on the line after it, and no bare "Read more".
func TestDigestReadMoreLinksNameTheirStory(t *testing.T) {
	e := newGoldenEnv(t, "quayside", "Quayside Café", "daily")
	titles := []string{"Bridge reopens", "Fish & chips turn 50", `The "Quay" café`}
	for i, title := range titles {
		id := e.exec(t, `INSERT INTO articles (url, title, summary, published_at, created_at) VALUES (?, ?, 'A story.', ?, ?)`,
			"https://news.example/"+string(rune('a'+i)), title, time.Now().Add(-time.Duration(i+1)*time.Hour), sqlite.Now())
		e.exec(t, `INSERT INTO article_lists (article_id, list_id) SELECT ?, id FROM lists WHERE slug = 'quayside'`, id)
	}
	if d, err := e.svc.RunDigest(context.Background(), "quayside"); err != nil || d.Articles != len(titles) {
		t.Fatalf("digest %+v, %v: want %d articles", d, err, len(titles))
	}
	pm := mailtest.Parse(t, e.send(t))
	html := strings.ReplaceAll(pm.HTML, "\r\n", "\n")
	links := readMore.FindAllStringSubmatch(html, -1)
	if len(links) != len(titles) {
		t.Fatalf("%d Read more links, want %d:\n%s", len(links), len(titles), html)
	}
	want := []string{`aria-label="Read more: Bridge reopens"`, `aria-label="Read more: Fish &amp; chips turn 50"`,
		`aria-label="Read more: The &#34;Quay&#34; café"`}
	for i, l := range links {
		if !strings.Contains(l[1], want[i]) || !strings.Contains(l[1], `href="https://news.example/`+string(rune('a'+i))+`"`) {
			t.Errorf("Read more link %d: <a %s>, want %s and its story's URL", i+1, l[1], want[i])
		}
	}
	for i, title := range titles {
		if !strings.Contains(pm.Text, "\n"+title+"\nhttps://news.example/"+string(rune('a'+i))+"\n") {
			t.Errorf("text part lacks %q with its URL after it:\n%s", title, pm.Text)
		}
	}
	if strings.Contains(pm.Text, "Read more") {
		t.Errorf("text part has a bare Read more:\n%s", pm.Text)
	}
}
