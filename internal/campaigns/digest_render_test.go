package campaigns

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPlainText: a digest shows an article without a summary with the
// start of its body, Markdown, as one line of prose. The characters of
// the prose stay ("C#", "snake_case", "5 > 3", "2*3=6"), marks and
// escapes go, entities are resolved, an autolink loses its brackets and
// a link its URL.
func TestPlainText(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"prose kept",
			"The C# meetup is back. Details at <https://news.example/meetup>, bring your snake_case_names &amp; laptops.\n\nFree entry, 5 > 3.",
			"The C# meetup is back. Details at https://news.example/meetup, bring your snake_case_names & laptops. Free entry, 5 > 3."},
		{"marks and escapes go", "**Bold** _news_, `code_x`, 2*3=6 and \\*stars\\*; a [link](https://news.example/a) too.",
			"Bold news, code_x, 2*3=6 and *stars*; a link too."},
		{"first two paragraphs, headings, lists, quotes and code passed over",
			"# Heading\n\n![Ferry](https://news.example/f.jpg)\n\n- a list\n\n> A quote.\n\n```\ncode\n```\n\nOne,\nstill one.  \nHard break.\n\nTwo.\n\nThree.",
			"One, still one. Hard break. Two."},
		{"raw HTML left out", "<div>block</div>\n\nA <b>bold</b> claim &lt;b&gt;.", "A bold claim <b>."},
		{"CRLF", "One.\r\n\r\nTwo.", "One. Two."},
		{"nothing to show", "# Only a heading\n\n- and a list", ""},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, plainText(tt.body)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}
