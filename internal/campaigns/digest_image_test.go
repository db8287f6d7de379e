package campaigns_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// TestDigestShowsArticleImages: an article's image comes in the digest's
// HTML at the card's width, narrower on a phone, with its alt text (empty
// when it has none), and the text part is the same as without images.
func TestDigestShowsArticleImages(t *testing.T) {
	day := time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC)
	build := func(images bool) (html, text string) {
		e := newDigestEnv(t)
		campaigns.SetClock(e.svc.Store, func() time.Time { return day.Add(time.Hour) }) // the articles are news then
		news := e.list(t, "news", "daily", true)
		e.reader(t, "a@x.example", "confirmed", "daily", news)
		for i, a := range []struct{ title, image, alt string }{
			{"Bridge reopens", "https://img.news.example/bridge.jpg?w=1072&h=600", "The swing bridge at dusk, open to traffic"},
			{"Storm warning", "https://img.news.example/storm.jpg", ""},
			{"Ferry timetable", "", ""},
		} {
			if !images {
				a.image, a.alt = "", ""
			}
			id := e.exec(t, `INSERT INTO articles (url, title, summary, author, image_url, image_alt, published_at, created_at) VALUES (?, ?, ?, 'Maren Holt', ?, ?, ?, ?)`,
				"https://news.example/"+strings.ToLower(strings.Fields(a.title)[0]), a.title, "About "+a.title+".", a.image, a.alt, day.Add(-time.Duration(i)*time.Hour), time.Now().UTC())
			e.exec(t, `INSERT INTO article_lists (article_id, list_id) VALUES (?, ?)`, id, news)
		}
		d, err := e.svc.RunDigest(context.Background(), "news")
		if err != nil || d.ID == 0 {
			t.Fatalf("digest = %+v, %v", d, err)
		}
		if err := e.db.Read.QueryRow(`SELECT body_html, body_text FROM campaigns WHERE id = ?`, d.ID).Scan(&html, &text); err != nil {
			t.Fatal(err)
		}
		return html, text
	}
	html, text := build(true)
	plainHTML, plainText := build(false)

	for _, want := range []string{
		`<img src="https://img.news.example/bridge.jpg?w=1072&amp;h=600" width="536" alt="The swing bridge at dusk, open to traffic" style="`,
		`<img src="https://img.news.example/storm.jpg" width="536" alt="" style="`,
		// As wide as the card, and narrower on a phone, shown or blocked:
		// a blocked image's box is as wide as its width attribute, which
		// would widen the card without width:100%.
		`style="width:100%;max-width:536px;height:auto;display:block;`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("digest HTML lacks %s:\n%s", want, html)
		}
	}
	if n := strings.Count(html, "<img"); n != 2 {
		t.Errorf("%d images in the digest HTML, want 2", n)
	}
	if strings.Contains(plainHTML, "<img") {
		t.Errorf("digest without images has an <img>:\n%s", plainHTML)
	}
	if text != plainText {
		t.Errorf("the text part changed with images:\nwith:\n%s\nwithout:\n%s", text, plainText)
	}
	if strings.Contains(text, "img.news.example") || strings.Contains(text, "dusk") {
		t.Errorf("the text part mentions the image:\n%s", text)
	}
}
