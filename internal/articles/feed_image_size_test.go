package articles_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// sizedImageRSS is a feed whose images say their size, or fail to.
const sizedImageRSS = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Quay Weekly</title><link>https://quay.example/</link>
<item><title>Lighthouse repainted</title><link>https://quay.example/lighthouse</link>
<media:content url="https://cdn.quay.example/lighthouse.jpg" type="image/jpeg" width="1200" height="800"><media:description>The lighthouse in fresh red paint</media:description></media:content>
<media:thumbnail url="https://cdn.quay.example/lighthouse-small.jpg" width="150" height="100"/></item>
<item><title>Harbour master retires</title><link>https://quay.example/retires</link>
<media:group><media:content url="https://cdn.quay.example/portrait.jpg" medium="image" width=" 640 " height="960"/></media:group></item>
<item><title>Crab season opens</title><link>https://quay.example/crabs</link>
<media:thumbnail url="https://cdn.quay.example/crab.png" width="120" height="40"/></item>
<item><title>Width only</title><link>https://quay.example/width-only</link>
<media:content url="https://cdn.quay.example/wide.jpg" medium="image" width="1200"/>
<media:thumbnail url="https://cdn.quay.example/wide-small.jpg" width="150" height="100"/></item>
<item><title>Sizes in CSS units</title><link>https://quay.example/units</link>
<media:content url="https://cdn.quay.example/units.jpg" medium="image" width="1200px" height="800px"/></item>
<item><title>Fractional size</title><link>https://quay.example/fraction</link>
<media:content url="https://cdn.quay.example/fraction.jpg" medium="image" width="1200.5" height="800"/></item>
<item><title>Too large</title><link>https://quay.example/huge</link>
<media:content url="https://cdn.quay.example/huge.jpg" medium="image" width="20000" height="800"/></item>
<item><title>Zero height</title><link>https://quay.example/zero</link>
<media:content url="https://cdn.quay.example/zero.jpg" medium="image" width="1200" height="0"/></item>
<item><title>Enclosure</title><link>https://quay.example/enclosure</link>
<enclosure url="https://cdn.quay.example/enclosure.jpg" length="2048" type="image/jpeg"/></item>
<item><title>http content with a size</title><link>https://quay.example/http</link>
<media:content url="http://cdn.quay.example/plain.jpg" type="image/jpeg" width="1200" height="800"/>
<media:thumbnail url="https://cdn.quay.example/plain-small.jpg" width="300" height="200"/></item>
</channel></rss>`

// TestFeedItemImageSizes: a feed item's image has the size its chosen
// media:content or media:thumbnail gives, when both sides are whole
// numbers from 1 to 10000; else, and for an enclosure, which has none,
// the size is unknown (0 by 0). A size is never taken from an element
// that was not chosen.
func TestFeedItemImageSizes(t *testing.T) {
	db, store := newFeedEnv(t)
	feeds := articles.NewFeeds(db, store, true) // the test server is on loopback
	srv, _, _ := feedServer(t, sizedImageRSS)
	if fd, _, err := feeds.Add(context.Background(), srv.URL+"/feed.xml", "news", nil); err != nil || fd.LastError != "" {
		t.Fatalf("add feed = %+v, %v", fd, err)
	}
	type image struct {
		URL, Alt string
		W, H     int
	}
	got := map[string]image{}
	items, _, err := store.List(context.Background(), articles.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range items {
		got[a.URL] = image{a.ImageURL, a.ImageAlt, a.ImageWidth, a.ImageHeight}
	}
	want := map[string]image{
		"https://quay.example/lighthouse": {"https://cdn.quay.example/lighthouse.jpg", "The lighthouse in fresh red paint", 1200, 800},
		"https://quay.example/retires":    {"https://cdn.quay.example/portrait.jpg", "", 640, 960},
		"https://quay.example/crabs":      {"https://cdn.quay.example/crab.png", "", 120, 40},
		"https://quay.example/width-only": {"https://cdn.quay.example/wide.jpg", "", 0, 0},
		"https://quay.example/units":      {"https://cdn.quay.example/units.jpg", "", 0, 0},
		"https://quay.example/fraction":   {"https://cdn.quay.example/fraction.jpg", "", 0, 0},
		"https://quay.example/huge":       {"https://cdn.quay.example/huge.jpg", "", 0, 0},
		"https://quay.example/zero":       {"https://cdn.quay.example/zero.jpg", "", 0, 0},
		"https://quay.example/enclosure":  {"https://cdn.quay.example/enclosure.jpg", "", 0, 0},
		"https://quay.example/http":       {"https://cdn.quay.example/plain-small.jpg", "", 300, 200},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("articles' images (-want +got):\n%s", diff)
	}
}
