package articles_test

import "testing"

// A summary written in paragraphs, lines or a list keeps its words apart:
// the tag stripper dropped the tags between blocks and glued the words on
// either side, so a WordPress summary of two paragraphs read "new
// tables.Ferries leave" in the digest. Scripts and styles stay out.
func TestFeedSummaryKeepsBlocksApart(t *testing.T) {
	body := `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Quay Courier</title><link>https://quay.example/</link>
<item><title>Paragraphs</title><link>https://quay.example/paragraphs</link>
<description><![CDATA[<p>The office <b>publishes</b> new tables.</p><p>Ferries leave earlier.</p><script>alert("x")</script><style>p{color:red}</style>]]></description></item>
<item><title>Lines</title><link>https://quay.example/lines</link>
<description>Line one&lt;br&gt;Line two&lt;br/&gt;Line three&lt;img src="https://quay.example/a.png"&gt;end</description></item>
<item><title>List</title><link>https://quay.example/list</link>
<description><![CDATA[<ul><li>First point</li><li>Second point</li></ul><div>A block</div>and text, <a href="https://quay.example/x">a link</a>, done.]]></description></item>
</channel></rss>`
	_, items := pollFeed(t, body)
	for url, want := range map[string]string{
		"https://quay.example/paragraphs": "The office publishes new tables. Ferries leave earlier.",
		"https://quay.example/lines":      "Line one Line two Line three end",
		"https://quay.example/list":       "First point Second point A block and text, a link, done.",
	} {
		a := items[url]
		if a == nil {
			t.Errorf("no article %s", url)
			continue
		}
		if a.Summary != want {
			t.Errorf("summary of %s = %q, want %q", url, a.Summary, want)
		}
	}
}

// An RSS item may have a description and no title (a microblog's posts
// do). Its link stood in for the title, so the digest, and its subject
// when the post was the newest, read "https://quay.example/posts/8812"; its
// first words say what it is about.
func TestUntitledFeedItemIsTitledByItsFirstWords(t *testing.T) {
	body := `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Quay Notes</title><link>https://quay.example/</link>
<item><link>https://quay.example/posts/8812</link>
<description>&lt;p&gt;The first ferry of the season left the quay at dawn, with a crowd waving from the pier and gulls everywhere.&lt;/p&gt;</description></item>
<item><link>https://quay.example/posts/8813</link><description>Short note.</description></item>
<item><link>https://quay.example/posts/8814</link></item>
</channel></rss>`
	_, items := pollFeed(t, body)
	for url, want := range map[string]string{
		"https://quay.example/posts/8812": "The first ferry of the season left the quay at dawn, with a crowd waving from…",
		"https://quay.example/posts/8813": "Short note.",
		"https://quay.example/posts/8814": "quay.example", // no words at all: linkTitle
	} {
		if a := items[url]; a == nil || a.Title != want {
			t.Errorf("article %s: %+v, want the title %q", url, a, want)
		}
	}
}
