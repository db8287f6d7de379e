package articles_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
)

const imageRSS = `<?xml version="1.0"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Harbour Gazette</title><link>https://news.example/</link>
<item><title>Enclosure</title><link>https://news.example/enclosure</link>
<enclosure url="https://img.news.example/enclosure.jpg" length="12345" type="image/jpeg"/></item>
<item><title>Thumbnail</title><link>https://news.example/thumbnail</link>
<media:thumbnail url="https://img.news.example/thumb.jpg" width="150" height="100"/></item>
<item><title>Content</title><link>https://news.example/content</link>
<media:content url="https://img.news.example/content.jpg" medium="image" width="1200"><media:description type="plain">Boats in the harbour at dawn</media:description></media:content>
<media:thumbnail url="https://img.news.example/content-thumb.jpg"/></item>
<item><title>Brackets</title><link>https://news.example/brackets</link>
<media:content url="https://img.news.example/vec.png" medium="image"><media:description>A Vec&lt;T&gt; in memory</media:description></media:content></item>
<item><title>HTML alt</title><link>https://news.example/html-alt</link>
<media:content url="https://img.news.example/gulls.png" medium="image"><media:description type="html">&lt;b&gt;Gulls&lt;/b&gt; on the quay</media:description></media:content></item>
<item><title>Plain http</title><link>https://news.example/http</link>
<enclosure url="http://img.news.example/insecure.jpg" length="1" type="image/jpeg"/></item>
<item><title>http content, https thumbnail</title><link>https://news.example/mixed</link>
<media:content url="http://img.news.example/big.jpg" type="image/jpeg"/><media:thumbnail url="https://img.news.example/small.jpg"/></item>
<item><title>Podcast</title><link>https://news.example/podcast</link>
<enclosure url="https://cdn.news.example/episode.mp3" length="1" type="audio/mpeg"/></item>
<item><title>Image in the text only</title><link>https://news.example/inline</link>
<description>&lt;p&gt;&lt;img src="https://tracker.example/pixel.gif"&gt; Text.&lt;/p&gt;</description></item>
</channel></rss>`

const imageAtom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"><title>Wire</title><id>urn:wire</id><updated>2026-11-20T07:00:00Z</updated>
<entry><title>Atom enclosure</title><id>urn:1</id><updated>2026-11-20T07:00:00Z</updated><link href="https://wire.example/one"/>
<link rel="enclosure" type="image/png" href="https://img.wire.example/one.png"/></entry>
<entry><title>Atom thumbnail</title><id>urn:2</id><updated>2026-11-20T07:00:00Z</updated><link href="https://wire.example/two"/>
<media:thumbnail url="https://img.wire.example/two.jpg"/></entry>
</feed>`

// TestFeedItemImages: an item's image is its image enclosure or its
// media:content or media:thumbnail image, only over https; an image in
// the item's text is not taken.
func TestFeedItemImages(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	feeds := articles.NewFeeds(db, store, true) // the test servers are on loopback
	for _, body := range []string{imageRSS, imageAtom} {
		srv, _, _ := feedServer(t, body)
		if fd, _, err := feeds.Add(ctx, srv.URL+"/feed.xml", "news", nil); err != nil || fd.LastError != "" {
			t.Fatalf("add feed = %+v, %v", fd, err)
		}
	}
	rows, err := db.Read.Query(`SELECT url, image_url, image_alt FROM articles ORDER BY url`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string][2]string{}
	for rows.Next() {
		var u, img, alt string
		if err := rows.Scan(&u, &img, &alt); err != nil {
			t.Fatal(err)
		}
		got[u] = [2]string{img, alt}
	}
	want := map[string][2]string{
		"https://news.example/enclosure": {"https://img.news.example/enclosure.jpg", ""},
		"https://news.example/thumbnail": {"https://img.news.example/thumb.jpg", ""},
		"https://news.example/content":   {"https://img.news.example/content.jpg", "Boats in the harbour at dawn"},
		"https://news.example/brackets":  {"https://img.news.example/vec.png", "A Vec<T> in memory"},
		"https://news.example/html-alt":  {"https://img.news.example/gulls.png", "Gulls on the quay"},
		"https://news.example/http":      {"", ""},
		"https://news.example/mixed":     {"https://img.news.example/small.jpg", ""},
		"https://news.example/podcast":   {"", ""},
		"https://news.example/inline":    {"", ""},
		"https://wire.example/one":       {"https://img.wire.example/one.png", ""},
		"https://wire.example/two":       {"https://img.wire.example/two.jpg", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("articles' images (-want +got):\n%s", diff)
	}
}
