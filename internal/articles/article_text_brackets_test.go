package articles_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// Text that only looks like markup keeps its brackets when real HTML is
// in the same field: a tag whose name is no HTML element's ("<T>",
// "<String>") is text. The stripper took every tag for markup once the
// field held one real element, so "<p>Use Vec<T> here</p>" was stored
// as "Use Vec here" and "Option<String> <em>rocks</em>" as "Option rocks",
// though "Vec<T> is generic" alone kept its brackets. The summary is
// stored as text and escaped where it is shown, as every summary is.
func TestPostedSummaryKeepsTextTagsBesideMarkup(t *testing.T) {
	_, store := newFeedEnv(t)
	ctx := context.Background()
	for i, tt := range []struct{ in, want string }{
		{"Vec<T> is generic", "Vec<T> is generic"},
		{"<p>Use Vec<T> here</p>", "Use Vec<T> here"},
		{"Use <code>Vec<T></code> in Rust", "Use Vec<T> in Rust"},
		{"Option<String> <em>rocks</em>", "Option<String> rocks"},
		{"<p>Map<K, V> and Vec<Option<T>></p>", "Map<K, V> and Vec<Option<T>>"},
		{"<p>Generic <T: Clone> bounds</p><p>Second</p>", "Generic <T: Clone> bounds Second"},
		// A type named like an element whose content is hidden, never
		// closed: the type, not an object hiding the rest.
		{"<p>Use List<Object> here</p>", "Use List<Object> here"},
		{"<b>Tides</b> &amp; <Times>", "Tides & <Times>"},
		// An excerpt cut inside the type.
		{"<p>Returns <b>a</b> Vec<T", "Returns a Vec<T"},
		// Real elements are still markup, whatever their case, and so
		// are custom elements and another vocabulary's tags.
		{"<P>One</P><DIV>Two</DIV>", "One Two"},
		{"<p>Word<o:p></o:p> text <my-card>card</my-card></p>", "Word text card"},
	} {
		title, url, summary := "Generics", "https://news.example/g/"+string(rune('a'+i)), tt.in
		a, _, err := store.Put(ctx, &articles.Patch{Title: &title, URL: &url, Summary: &summary})
		if err != nil {
			t.Fatalf("Put %q: %v", tt.in, err)
		}
		got, err := store.Get(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Summary != tt.want {
			t.Errorf("summary posted as %q is stored as %q, want %q", tt.in, got.Summary, tt.want)
		}
	}
}

// Keeping a text tag keeps nothing a browser would run: scripts and styles
// go with their content, and a tag with an event handler, a style or any
// attribute value is markup (dropped), whatever its name, its end tag
// too. Only its text stays.
func TestPostedSummaryDropsScriptsAndHandlers(t *testing.T) {
	_, store := newFeedEnv(t)
	ctx := context.Background()
	for i, tt := range []struct{ in, want string }{
		{"<p>Vec<T> <script>alert(1)</script>now</p>", "Vec<T> now"},
		{"<p>Vec<T></p><SCRIPT>alert(1)</SCRIPT><style>p{color:red}</style>", "Vec<T>"},
		{"<b>Vec<T></b> <script>alert(1)", "Vec<T>"},
		{"<p>a <img src=x onerror=alert(1)> b</p>", "a b"},
		{"<p>Vec<T> <x onclick=alert(1)>hi</x></p>", "Vec<T> hi"},
		{"<p>Vec<T> <T onmouseover>hi</T></p>", "Vec<T> hi"},
		{"<p>Vec<T> <T style>hi</T></p>", "Vec<T> hi"},
		{"<p>Vec<T> <T href=javascript:alert(1)>hi</T></p>", "Vec<T> hi"},
		{"<p>Vec<T> <my-widget onclick=\"alert(1)\">w</my-widget></p>", "Vec<T> w"},
		{"<b>a</b><svg><animate onbegin=alert(1) attributeName=x></animate></svg>z", "az"},
		{"<p>a <iframe src=javascript:alert(1)></iframe>b</p>", "a b"},
		{"<b>x</b> Vec<T onclick", "x Vec"},
	} {
		title, url, summary := "Safe", "https://news.example/s/"+string(rune('a'+i)), tt.in
		a, _, err := store.Put(ctx, &articles.Patch{Title: &title, URL: &url, Summary: &summary})
		if err != nil {
			t.Fatalf("Put %q: %v", tt.in, err)
		}
		if a.Summary != tt.want {
			t.Errorf("summary posted as %q is stored as %q, want %q", tt.in, a.Summary, tt.want)
		}
		for _, bad := range []string{"script", "alert", "onerror", "onclick", "onmouseover", "onbegin", "style", "javascript"} {
			if strings.Contains(strings.ToLower(a.Summary), bad) {
				t.Errorf("summary posted as %q is stored as %q, holding %q", tt.in, a.Summary, bad)
			}
		}
	}
}

// A feed's summary goes through the same stripper: an RSS description or
// an Atom html summary keeps "<T>" beside its real tags, and loses its
// scripts and handlers.
func TestFeedSummaryKeepsTextTagsBesideMarkup(t *testing.T) {
	body := `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Rust Weekly</title><link>https://rust.example/</link>
<item><title>Vec</title><link>https://rust.example/vec</link>
<description>&lt;p&gt;Use Vec&lt;T&gt; here&lt;/p&gt;</description></item>
<item><title>Option</title><link>https://rust.example/option</link>
<description><![CDATA[Option<String> <em>rocks</em><script>alert(1)</script> <x onclick="alert(1)">and</x> <code>Box<dyn Error></code>]]></description></item>
<item><title>&lt;b&gt;Use&lt;/b&gt; Vec&lt;T&gt;</title><link>https://rust.example/title</link></item>
</channel></rss>`
	_, items := pollFeed(t, body)
	for _, c := range []struct{ url, title, summary string }{
		{"https://rust.example/vec", "Vec", "Use Vec<T> here"},
		{"https://rust.example/option", "Option", "Option<String> rocks and Box<dyn Error>"},
		{"https://rust.example/title", "Use Vec<T>", ""},
	} {
		a := items[c.url]
		if a == nil {
			t.Errorf("no article %s (articles %v)", c.url, items)
			continue
		}
		if a.Title != c.title || a.Summary != c.summary {
			t.Errorf("%s: title %q, summary %q; want %q, %q", c.url, a.Title, a.Summary, c.title, c.summary)
		}
	}

	atom := `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Rust Weekly</title><id>urn:r</id><updated>2026-11-20T07:00:00Z</updated>
<entry><title>Code</title><id>urn:r:1</id><link href="https://rust.example/code"/>
<summary type="html">Use &lt;code&gt;Vec&amp;lt;T&amp;gt;&lt;/code&gt; or &lt;code&gt;Vec&lt;T&gt;&lt;/code&gt; in Rust</summary><updated>2026-11-20T07:00:00Z</updated></entry>
</feed>`
	_, items = pollFeed(t, atom)
	if a := items["https://rust.example/code"]; a == nil || a.Summary != "Use Vec<T> or Vec<T> in Rust" {
		t.Errorf("Atom html summary: %+v, want %q", a, "Use Vec<T> or Vec<T> in Rust")
	}
}
