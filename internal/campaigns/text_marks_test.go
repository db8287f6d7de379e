package campaigns

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/mailer"
)

// The text part keeps what formatting means: struck-out words between
// "~~" (a correction reads as its opposite without them), and a heading
// of level 3 to 6 behind its "#"s, as h1 and h2 keep their underlines,
// rather than as a line of prose. The preheader reads the heading's
// title alone.
func TestMarkdownTextKeepsStrikeoutAndDeepHeadings(t *testing.T) {
	tests := []struct{ name, md, want string }{
		{"strikethrough", "The bridge is ~~closed~~ open again.", "The bridge is ~~closed~~ open again.\n"},
		{"strikethrough inside emphasis and a link", "**~~Ten~~ Twelve** [boats](https://a.example)",
			"~~Ten~~ Twelve boats (https://a.example)\n"},
		{"h3 to h6", "### Numbers\n\nText.\n\n#### Four\n\n###### Six",
			"### Numbers\n\nText.\n\n#### Four\n\n###### Six\n"},
		{"a long h3 wraps within the width", "### " + strings.Repeat("word ", 15),
			"### word word word word word word word word word word word word word\nword word\n"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, markdownText([]byte(tt.md), mailer.NewMarkers(), nil)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	text := markdownText([]byte("### Numbers\n\nTen ~~boats~~ ships came in."), mailer.NewMarkers(), nil)
	if got, want := preheader(text), "Numbers. Ten ~~boats~~ ships came in."; got != want {
		t.Errorf("preheader = %q, want %q", got, want)
	}
}
