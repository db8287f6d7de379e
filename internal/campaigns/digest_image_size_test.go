package campaigns_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

var imgTag = regexp.MustCompile(`<img [^>]*>`)

// TestDigestImagesKeepTheirSize: an article's image of known size is shown
// as wide as it is up to the card's 536 px, never stretched, its height
// scaled to match and rounded, with both as attributes (Outlook on
// Windows reads those) and a style that still lets it shrink on a phone.
// One of unknown size is as wide as the card, as before, with no height.
func TestDigestImagesKeepTheirSize(t *testing.T) {
	day := time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC)
	e := newDigestEnv(t)
	campaigns.SetClock(e.svc.Store, func() time.Time { return day.Add(time.Hour) }) // the articles are news then
	news := e.list(t, "news", "daily", true)
	e.reader(t, "a@x.example", "confirmed", "daily", news)
	const style = `height:auto;display:block;border:0;margin:0 0 14px;border-radius:6px;"`
	tests := []struct {
		name          string
		width, height int
		want          string // the <img> tag
	}{
		{"large", 1200, 800, `width="536" height="357" alt="large" style="width:100%;max-width:536px;` + style},
		{"icon", 120, 40, `width="120" height="40" alt="icon" style="width:100%;max-width:120px;` + style},
		{"unknown", 0, 0, `width="536" alt="unknown" style="width:100%;max-width:536px;` + style},
		{"card-wide", 536, 300, `width="536" height="300" alt="card-wide" style="width:100%;max-width:536px;` + style},
		{"half-up", 1072, 601, `width="536" height="301" alt="half-up" style="width:100%;max-width:536px;` + style},
		{"tall", 400, 10000, `width="400" height="10000" alt="tall" style="width:100%;max-width:400px;` + style},
		{"sliver", 10000, 1, `width="536" height="1" alt="sliver" style="width:100%;max-width:536px;` + style},
	}
	var want []string
	for i, tt := range tests {
		src := "https://img.news.example/" + tt.name + ".jpg"
		id := e.exec(t, `INSERT INTO articles (url, title, summary, image_url, image_alt, image_width, image_height, published_at, created_at)
			VALUES (?, ?, 'Text.', ?, ?, ?, ?, ?, ?)`, "https://news.example/"+tt.name, "Story "+tt.name, src, tt.name,
			tt.width, tt.height, day.Add(-time.Duration(i)*time.Hour), sqlite.Now())
		e.exec(t, `INSERT INTO article_lists (article_id, list_id) VALUES (?, ?)`, id, news)
		want = append(want, fmt.Sprintf(`<img src="%s" %s>`, src, tt.want))
	}
	d, err := e.svc.RunDigest(context.Background(), "news")
	if err != nil || d.ID == 0 {
		t.Fatalf("digest = %+v, %v", d, err)
	}
	var html string
	if err := e.db.Read.QueryRow(`SELECT body_html FROM campaigns WHERE id = ?`, d.ID).Scan(&html); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, imgTag.FindAllString(html, -1)); diff != "" {
		t.Errorf("the digest's images, newest first (-want +got):\n%s", diff)
	}
}
