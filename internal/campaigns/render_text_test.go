package campaigns

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/mailer"
)

func TestMarkdownText(t *testing.T) {
	tests := []struct{ name, md, want string }{
		{"paragraph wrapped, marks gone, link after its text",
			"Hello! The ferry runs **40 minutes** later from _Monday_; see the [timetable](https://news.example/ferry) or <https://news.example/x>, all of it.",
			"Hello! The ferry runs 40 minutes later from Monday; see the timetable\n(https://news.example/ferry) or https://news.example/x, all of it.\n"},
		{"headings underlined", "# Harbour notes\n\n## Café — ferry\n\n### Small\n\nText.",
			"Harbour notes\n=============\n\nCafé — ferry\n------------\n\n### Small\n\nText.\n"},
		{"typographer quotes as characters", `It's "fine".`, "It’s “fine”.\n"},
		{"lists", "- one\n- two with a [link](https://a.example)\n\n3. three\n4. four",
			"- one\n- two with a link (https://a.example)\n\n3. three\n4. four\n"},
		{"list item wraps under its text", "- " + strings.Repeat("word ", 16),
			"- word word word word word word word word word word word word word word\n  word word\n"},
		{"quote", "> Quoted words.", "> Quoted words.\n"},
		{"code", "```\nx := 1\n```", "    x := 1\n"},
		{"hard break", "one  \ntwo", "one\ntwo\n"},
		{"raw HTML left out", "<div>raw</div>\n\nText.", "Text.\n"},
		{"image", "![Harbour at dawn](https://news.example/h.jpg)", "[Harbour at dawn] (https://news.example/h.jpg)\n"},
		{"a link whose text is its URL once", "[https://a.example](https://a.example)", "https://a.example\n"},
		{"table", "| a | b |\n|---|---|\n| 1 | 2 |", "a | b\n1 | 2\n"},
		{"a link the sanitiser drops shows no URL", "[click](javascript:alert(1)) and [x](data:text/html,hi)", "click and x\n"},
		{"an image the sanitiser drops shows no URL", "![pic](javascript:alert(1))", "[pic]\n"},
		{"mailto and relative links stay, a mailto as its address", "[mail](mailto:a@b.example) [page](/about)", "mail (a@b.example) page (/about)\n"},
		{"a mailto link shows the address it writes to", "Questions: [the desk](mailto:desk@harbour.example?subject=Tips%20for%20us), [us](MAILTO:a%2Bb@h.example).",
			"Questions: the desk (desk@harbour.example), us (a+b@h.example).\n"},
		{"a mailto link whose text is its address shows it once", "[desk@harbour.example](mailto:desk@harbour.example?subject=Hi)", "desk@harbour.example\n"},
		{"a mailto autolink shows its address", "Write <mailto:desk@harbour.example>.", "Write desk@harbour.example.\n"},
		{"escapes and entities resolved", `Fish &amp; chips &copy; 2026, \*not bold\*, file\_name, &#35;1 &#x41;.`,
			"Fish & chips © 2026, *not bold*, file_name, #1 A.\n"},
		{"an escaped ampersand starts no entity", `\&amp; and &#92;* as the HTML part shows them`, "&amp; and \\* as the HTML part shows them\n"},
		{"entities in a heading and a link's text", "# R&amp;D\n\n[Q&amp;A &gt; all](https://a.example)",
			"R&D\n===\n\nQ&A > all (https://a.example)\n"},
		{"code spans as written", "Run `a &amp; \\*b\\*` and `x\ny`.", "Run a &amp; \\*b\\* and x y.\n"},
		{"autolinks as written", "<https://a.example/?a=1&amp;b=2> <ann@b.example>", "https://a.example/?a=1&amp;b=2 ann@b.example\n"},
		{"inline raw HTML left out, its text kept", "Press <kbd>Ctrl</kbd> &lt;b&gt; now", "Press Ctrl <b> now\n"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, markdownText([]byte(tt.md), mailer.NewMarkers(), nil)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestPreheader(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"plain text part", "Harbour notes\n=============\n\nHello! See the timetable (https://news.example/ferry) today.\n",
			"Harbour notes. Hello! See the timetable today."},
		{"characters of the prose stay", "Learn C# and F# at the library: snake_case, 5 > 3, 2*3=6, it's R&D <b>.\n",
			"Learn C# and F# at the library: snake_case, 5 > 3, 2*3=6, it's R&D <b>."},
		{"quote marks go, a quote's text stays", "> Quoted words,\n>\n> > nested > here.\n", "Quoted words, nested > here."},
		{"a digest's title", "1 new story in Tech from Harbour Gazette, 2 December 2026.\n\nC# course starts at the library\nhttps://news.example/c\n",
			"1 new story in Tech from Harbour Gazette, 2 December 2026. C# course starts at the library"},
		{"cut at a word", strings.Repeat("harbour ", 30), strings.TrimSpace(strings.Repeat("harbour ", 14)) + "…"},
		{"an image goes whole, its alt text too", "[Harbour at dawn] (https://news.example/h.jpg)\n\nThe ferry is back.\n",
			"The ferry is back."},
		{"an image wrapped over two lines goes whole", "Look: [Harbour at dawn]\n(https://news.example/h.jpg) and the ferry.\n",
			"Look: and the ferry."},
		{"a URL in a sentence reads as its host", "Read an https://news.example/a?b=1 link, or see https://www.news.example/ferry.\n",
			"Read an news.example link, or see www.news.example."},
		{"a mailto in a sentence reads as its address", "Write to mailto:desk@news.example!\n", "Write to desk@news.example!"},
		{"a mailto link's address goes, as a link's URL does", "Write to the desk (desk@news.example), or (a@b.example)!\n", "Write to the desk, or!"},
	}
	for _, tt := range tests {
		if got := preheader(tt.text); got != tt.want {
			t.Errorf("%s: preheader %q, want %q", tt.name, got, tt.want)
		}
	}

	// A digest's line is not read from its text part, which starts with
	// what the subject says (the count, the list, the top story), the
	// dates and a byline cut off ("… By Ann · 20…"): it goes on from the
	// subject with the next headlines, each a sentence (digestPreheader).
	digest := []digestArticle{
		{Title: "Bridge reopens after repairs", URL: "https://news.example/bridge", Author: "Ann",
			Summary: "The swing bridge carries traffic again."},
		{Title: "Ferry timetable changes", URL: "https://news.example/ferry"},
		{Title: "Is the ferry late again?", URL: "https://news.example/late"},
	}
	if got, want := digestPreheader("Harbour Gazette", "Daily News", digest), "Also: Ferry timetable changes. Is the ferry late again?"; got != want {
		t.Errorf("digest: preheader %q, want %q", got, want)
	}
}

// TestRenderTextResolvesEscapesAndEntities: the text part shows what the
// HTML part shows, Markdown's backslash escapes and entity references
// resolved (CommonMark §2.4, §2.5), not "\\*" or "&amp;".
func TestRenderTextResolvesEscapesAndEntities(t *testing.T) {
	html, text, err := Render(`Fish &amp; chips &copy; 2026, \*not bold\*, file\_name.`, mailer.NewMarkers())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("Fish & chips © 2026, *not bold*, file_name.\n", text); diff != "" {
		t.Errorf("text part (-want +got):\n%s\nthe HTML part reads %q", diff, html)
	}
}
