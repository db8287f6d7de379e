package articles_test

import (
	"context"
	"testing"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// pollFeed adds a feed serving body to the list news, so that it is polled
// once, and returns the feed and the list's articles by URL.
func pollFeed(t *testing.T, body string) (*articles.Feed, map[string]*articles.Article) {
	t.Helper()
	db, store := newFeedEnv(t)
	ctx := context.Background()
	srv, _, _ := feedServer(t, body)
	feeds := articles.NewFeeds(db, store, true) // the test server is on loopback
	fd, _, err := feeds.Add(ctx, srv.URL+"/feed.xml", "news", nil)
	if err != nil {
		t.Fatal(err)
	}
	items, _, err := store.List(ctx, articles.Filter{List: "news"})
	if err != nil {
		t.Fatal(err)
	}
	byURL := make(map[string]*articles.Article, len(items))
	for _, a := range items {
		byURL[a.URL] = a
	}
	return fd, byURL
}

// An Atom title without a type attribute is type="text" (RFC 4287
// §3.1.1): "Vec&lt;T&gt;" in it is the text "Vec<T>", not markup. The
// poller ran every title through an HTML tag stripper, so "<T>" was taken
// for a tag and dropped: the article, its digest entry and the digest's
// subject read "Why Vec beats arrays".
func TestAtomTextTitleKeepsAngleBrackets(t *testing.T) {
	body := `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Rust Weekly</title><id>urn:x</id><updated>2026-11-20T07:00:00Z</updated>
<entry><title>Why Vec&lt;T&gt; beats arrays</title><id>urn:x:1</id><link href="https://news.example/vec"/>
<summary>Use Vec&lt;T&gt; or Box&lt;[T]&gt;.</summary><updated>2026-11-20T07:00:00Z</updated></entry>
<entry><title type="text">Option&lt;b&gt; is &lt;b&gt;not&lt;/b&gt; bold</title><id>urn:x:2</id><link href="https://news.example/option"/>
<content type="text">Tags in text &lt;i&gt;stay&lt;/i&gt;.</content><updated>2026-11-20T06:00:00Z</updated></entry>
</feed>`
	_, items := pollFeed(t, body)
	if len(items) != 2 {
		t.Fatalf("articles = %v, want 2", items)
	}
	for _, c := range []struct{ url, title, summary string }{
		{"https://news.example/vec", "Why Vec<T> beats arrays", "Use Vec<T> or Box<[T]>."},
		{"https://news.example/option", "Option<b> is <b>not</b> bold", "Tags in text <i>stay</i>."},
	} {
		a := items[c.url]
		if a == nil {
			t.Errorf("no article %s", c.url)
			continue
		}
		if a.Title != c.title {
			t.Errorf("title = %q, want %q (an Atom text title is text, not HTML)", a.Title, c.title)
		}
		if a.Summary != c.summary {
			t.Errorf("summary = %q, want %q (Atom text is text, not HTML)", a.Summary, c.summary)
		}
	}
}

// An Atom title, summary or content of type="html" or "xhtml" is markup:
// its tags are dropped and its text kept, on one line.
func TestAtomHTMLTextIsStrippedToText(t *testing.T) {
	body := `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Harbour Gazette</title><id>urn:x</id><updated>2026-11-20T07:00:00Z</updated>
<entry><title type="html">&lt;b&gt;Bold&lt;/b&gt;   news</title><id>urn:x:1</id><link href="https://news.example/bold"/>
<summary type="html">&lt;p&gt;Use &lt;code&gt;Vec&amp;lt;T&amp;gt;&lt;/code&gt;.&lt;/p&gt;</summary><updated>2026-11-20T07:00:00Z</updated></entry>
<entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><em>Quay</em> repairs</div></title><id>urn:x:2</id><link href="https://news.example/quay"/>
<content type="html">&lt;p&gt;The &lt;b&gt;quay&lt;/b&gt; is shut.&lt;/p&gt;</content><updated>2026-11-20T06:00:00Z</updated></entry>
</feed>`
	_, items := pollFeed(t, body)
	for _, c := range []struct{ url, title, summary string }{
		{"https://news.example/bold", "Bold news", "Use Vec<T>."},
		{"https://news.example/quay", "Quay repairs", "The quay is shut."},
	} {
		a := items[c.url]
		if a == nil {
			t.Errorf("no article %s (articles %v)", c.url, items)
			continue
		}
		if a.Title != c.title {
			t.Errorf("title = %q, want %q", a.Title, c.title)
		}
		if a.Summary != c.summary {
			t.Errorf("summary = %q, want %q", a.Summary, c.summary)
		}
	}
}

// An RSS title is plain text by the spec, but feeds often put escaped HTML
// in it: its tags are dropped only when it holds a real HTML element, so
// "Vec<T>" is kept and "<b>Bold</b> news" reads "Bold news". An RSS
// description is HTML.
func TestRSSTitleDropsOnlyRealTags(t *testing.T) {
	body := `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Harbour Gazette</title><link>https://news.example/</link>
<item><title>&lt;b&gt;Bold&lt;/b&gt; news</title><link>https://news.example/bold</link>
<description>&lt;p&gt;The &lt;b&gt;bridge&lt;/b&gt; is open.&lt;/p&gt;</description></item>
<item><title>Vec&lt;T&gt; rules</title><link>https://news.example/vec</link></item>
<item><title><![CDATA[Fish &amp; chips <i>tonight</i>]]></title><link>https://news.example/fish</link></item>
<item><title>List&lt;Object&gt; &amp;amp; Map&lt;K, V&gt;</title><link>https://news.example/list</link></item>
</channel></rss>`
	_, items := pollFeed(t, body)
	for _, c := range []struct{ url, title, summary string }{
		{"https://news.example/bold", "Bold news", "The bridge is open."},
		{"https://news.example/vec", "Vec<T> rules", ""},
		{"https://news.example/fish", "Fish & chips tonight", ""},
		{"https://news.example/list", "List<Object> & Map<K, V>", ""},
	} {
		a := items[c.url]
		if a == nil {
			t.Errorf("no article %s (articles %v)", c.url, items)
			continue
		}
		if a.Title != c.title {
			t.Errorf("title = %q, want %q", a.Title, c.title)
		}
		if a.Summary != c.summary {
			t.Errorf("summary = %q, want %q", a.Summary, c.summary)
		}
	}
}

// An RSS 2.0 item's <guid> is its permalink unless isPermaLink="false"
// (RSS 2.0 spec, "<guid> sub-element of <item>": "If the guid element has
// an attribute named isPermaLink with a value of true, the reader may
// assume that it is a permalink to the item"; true is the default). An
// item with such a guid and no <link> was dropped without a word: the poll
// said "200 OK" and added nothing.
func TestRSSItemWithPermalinkGUIDIsTaken(t *testing.T) {
	body := `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Harbour Gazette</title><link>https://news.example/</link>
<item><title>Ferry strike ends</title><guid>https://news.example/2026/ferry-strike</guid><pubDate>Fri, 20 Nov 2026 07:00:00 GMT</pubDate></item>
<item><title>Market day</title><guid isPermaLink="true">https://news.example/2026/market</guid><pubDate>Fri, 20 Nov 2026 06:00:00 GMT</pubDate></item>
<item><title>Bridge reopens</title><link>https://news.example/2026/bridge</link><guid>https://news.example/?p=12</guid><pubDate>Fri, 20 Nov 2026 05:00:00 GMT</pubDate></item>
</channel></rss>`
	fd, items := pollFeed(t, body)
	if fd.Added != 3 {
		t.Errorf("poll added %d articles (status %q), want 3: items whose permalink is their guid were dropped", fd.Added, fd.LastStatus)
	}
	for _, u := range []string{"https://news.example/2026/ferry-strike", "https://news.example/2026/market", "https://news.example/2026/bridge"} {
		if items[u] == nil {
			t.Errorf("no article %s (articles %v)", u, items)
		}
	}
}

// A guid that is not a permalink (isPermaLink="false"), or that is not an
// absolute http or https URL (a relative path, a bare number), does not
// stand in for a missing <link>: the item is still skipped.
func TestRSSItemWithoutAPermalinkIsSkipped(t *testing.T) {
	body := `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Harbour Gazette</title><link>https://news.example/</link>
<item><title>Not a permalink</title><guid isPermaLink="false">https://news.example/2026/not-a-permalink</guid></item>
<item><title>Relative guid</title><guid>/2026/relative</guid></item>
<item><title>Bare guid</title><guid>12345</guid></item>
<item><title>Mail guid</title><guid>mailto:desk@news.example</guid></item>
<item><title>Taken</title><link>https://news.example/2026/taken</link></item>
</channel></rss>`
	fd, items := pollFeed(t, body)
	if fd.Added != 1 || items["https://news.example/2026/taken"] == nil {
		t.Errorf("poll added %d articles %v (status %q), want only https://news.example/2026/taken", fd.Added, items, fd.LastStatus)
	}
}
