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
			"Harbour notes\n=============\n\nCafé — ferry\n------------\n\nSmall\n\nText.\n"},
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
		{"mailto and relative links stay", "[mail](mailto:a@b.example) [page](/about)", "mail (mailto:a@b.example) page (/about)\n"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, markdownText([]byte(tt.md), mailer.NewMarkers())); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestPreheader(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"plain text part", "Harbour notes\n=============\n\nHello! See the timetable (https://news.example/ferry) today.\n",
			"Harbour notes Hello! See the timetable today."},
		{"a stored Markdown body", "# Notes\n\nSee the [timetable](https://news.example/ferry) **now**.", "Notes See the timetable now."},
		{"digest", "3 new stories in Daily News from Harbour Gazette, 18–20 November 2026.\n\nBridge reopens after repairs\nhttps://news.example/bridge\nBy Ann · 20 November 2026\n",
			"3 new stories in Daily News from Harbour Gazette, 18–20 November 2026. Bridge reopens after repairs By Ann · 20…"},
		{"cut at a word", strings.Repeat("harbour ", 30), strings.TrimSpace(strings.Repeat("harbour ", 14)) + "…"},
	}
	for _, tt := range tests {
		if got := preheader(tt.text); got != tt.want {
			t.Errorf("%s: preheader %q, want %q", tt.name, got, tt.want)
		}
	}
}
