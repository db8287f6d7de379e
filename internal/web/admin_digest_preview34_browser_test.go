package web

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The digest send page, with a story and with nothing new, each saying
// what it leaves out as old news: in Chromium at a phone's width and a
// laptop's, light and dark, nothing sticks out and the note is seen.
// BULLETIN_SCREENSHOTS=dir keeps a screenshot of each view.
func TestDigestSendPageInTheBrowser(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	_, a, db := newDigestAdminDB(t)
	month := time.Now().Add(-30 * 24 * time.Hour)
	if _, err := db.Write.Exec(`INSERT INTO articles (id, url, title, published_at, created_at) VALUES (5, 'https://news.example/archive', 'From the archive', ?, ?)`,
		month, time.Now()); err != nil {
		t.Fatal(err)
	}
	execAt(t, db, time.Now(), `INSERT INTO article_lists (article_id, list_id) VALUES (5, 1), (5, 2)`)
	ctx := browser33(t)
	login33(t, ctx, a.base)
	shots := os.Getenv("BULLETIN_SCREENSHOTS")
	for _, slug := range []string{"weekend", "news"} {
		for _, v := range views33 {
			open33(t, ctx, v, a.base+"/admin/digests/"+slug+"/run")
			if note := eval33[string](t, ctx, `Array.from(document.querySelectorAll("p.muted")).map(function(p){return p.innerText}).join("\n")`); !strings.Contains(note, "Left out as old news") {
				t.Errorf("%s at %s: no note on old news:\n%s", slug, v, note)
			}
			if o := eval33[string](t, ctx, `overflow()`); o != "" {
				t.Errorf("%s at %s: %s", slug, v, o)
			}
			if shots != "" {
				shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatalf("screenshot: %v", err)
				}
				name := strings.NewReplacer(" ", "", ",", "-").Replace(v.String())
				if err := os.WriteFile(filepath.Join(shots, "digest-send-"+slug+"-"+name+".png"), shot, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}
