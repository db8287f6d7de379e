package campaigns_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestDigestTracksANonASCIIArticleURL: html/template percent-encodes in
// an href what it would not leave in a URL, a non-ASCII letter or a
// bracket. The HTML part's links must still be the one tracked link that
// names the article, and it must lead to the article, however its URL is
// stored: as written or percent-encoded, in either case. The text part
// writes the article's URL as it is stored, untracked.
func TestDigestTracksANonASCIIArticleURL(t *testing.T) {
	tests := []struct {
		name, url string
	}{
		{"raw", "https://news.example/2026/café"},
		{"encoded upper case", "https://news.example/2026/caf%C3%A9"},
		{"encoded lower case", "https://news.example/2026/caf%c3%a9"},
		{"brackets", "https://news.example/wiki/Ferry_(boat)"},
		{"query", "https://news.example/search?q=crème+brûlée&page=2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTrackEnv(t)
			list := e.addTrackedList(t, "daily", "anonymous", false)
			e.exec(t, `UPDATE lists SET digest = 'daily' WHERE id = ?`, list)
			e.addReaders(t, 1, list)
			res, err := e.db.Write.Exec(`INSERT INTO articles (url, title, summary, published_at, created_at) VALUES (?, 'Café reopens', 'A summary.', ?, ?)`,
				tt.url, time.Now().Add(-time.Hour), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			aid, _ := res.LastInsertId()
			e.exec(t, `INSERT INTO article_lists (article_id, list_id) VALUES (?, ?)`, aid, list)
			d, err := e.svc.RunDigest(context.Background(), "daily")
			if err != nil {
				t.Fatal(err)
			}
			msgs := e.sendAll(t)
			if len(msgs) != 1 {
				t.Fatalf("%d messages, want 1", len(msgs))
			}
			urls, ids := e.links(t, d.ID)
			link := -1
			for i, id := range ids {
				if id == aid {
					link = i
				}
			}
			if link < 0 {
				t.Fatalf("no tracked link names article %d (%s): stored links %q", aid, tt.url, urls)
			}
			// The redirect sends the reader to the stored URL: it must
			// reach the article's resource.
			want, err := url.Parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			got, err := url.Parse(urls[link])
			if err != nil {
				t.Fatalf("stored link %q: %v", urls[link], err)
			}
			if got.Host != want.Host || got.Path != want.Path || got.Query().Encode() != want.Query().Encode() {
				t.Errorf("the article's link goes to %s, not to %s", urls[link], tt.url)
			}
			for to, pm := range msgs {
				htmlTo, _ := e.clicks(t, pm.HTML, d.ID, e.delivery(t, d.ID, to), urls)
				textTo, _ := e.clicks(t, pm.Text, d.ID, e.delivery(t, d.ID, to), urls)
				// The title and "Read more" in HTML; the URL under the
				// title in text is the article's, as stored.
				if n, m := count(htmlTo, urls[link]), len(textTo); n != 2 || m != 0 {
					t.Errorf("%s: the article is linked tracked %d times in HTML, %d in text; want 2 and 0", to, n, m)
				}
				if !strings.Contains(pm.Text, tt.url) {
					t.Errorf("%s: the text part lacks the article's URL %s", to, tt.url)
				}
			}
		})
	}
}

// count is how many of urls are u.
func count(urls []string, u string) int {
	n := 0
	for _, v := range urls {
		if v == u {
			n++
		}
	}
	return n
}
