package campaigns_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// TestDigestTitleOnOneLine: an article's title or author stored with a
// line break (the API refuses one in a title, but older rows may hold
// one) stays on its line in the digest's text part, the title above its
// URL, and reads as one line in the HTML part.
func TestDigestTitleOnOneLine(t *testing.T) {
	e := newDigestEnv(t)
	campaigns.SetClock(e.svc.Store, func() time.Time { return time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC) }) // the article is news then
	news := e.list(t, "news", "daily", true)
	e.reader(t, "a@x.example", "confirmed", "daily", news)
	id := e.exec(t, `INSERT INTO articles (url, title, summary, author, published_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		"https://news.example/bridge", "Bridge reopens\r\nafter  repairs", "About the bridge.", "Maren\nHolt", time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC), time.Now().UTC())
	e.exec(t, `INSERT INTO article_lists (article_id, list_id) VALUES (?, ?)`, id, news)
	d, err := e.svc.RunDigest(context.Background(), "news")
	if err != nil || d.ID == 0 {
		t.Fatalf("digest = %+v, %v", d, err)
	}
	var html, text string
	if err := e.db.Read.QueryRow(`SELECT body_html, body_text FROM campaigns WHERE id = ?`, d.ID).Scan(&html, &text); err != nil {
		t.Fatal(err)
	}
	if want := "\nBridge reopens after repairs\nhttps://news.example/bridge\nBy Maren Holt · 20 November 2026\n"; !strings.Contains(text, want) {
		t.Errorf("text part lacks %q:\n%s", want, text)
	}
	if want := ">Bridge reopens after repairs</a>"; !strings.Contains(html, want) {
		t.Errorf("HTML part lacks %q:\n%s", want, html)
	}
}
