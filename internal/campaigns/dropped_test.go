package campaigns

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDropped(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		want       []DroppedItem
	}{
		{"plain Markdown", "# News\n\nHi {{ .Name }}, **bold**, _it_, ~~gone~~, `code` and \"quotes\" -- done...\n\n" +
			"- one\n- two\n\n1. first\n2. second\n\n> quoted\n\n---\n\n```go\nx := 1\n```\n\n```c++\nint x;\n```\n\n    indented\n", nil},
		{"links, images and tables Markdown makes", "[Site](https://news.example \"Home\") <https://auto.example> www.news.example " +
			"ada@news.example [Mail](mailto:ada@news.example) [Here](#top)\n\n![Photo: the quay at dawn](https://news.example/q.png \"Fish & chips\")\n\n" +
			"| a | b |\n|---|---|\n| 1 | [x](https://x.example) |\n", nil},
		{"a field in a link and fallbacks", "[Your page](https://news.example/me?e={{ .Email }})\n\n" +
			"Dear {{ .Name | default \"<b>reader</b>\" }}, {{ \"{{\" }} braces }}\n", nil},
		{"a styled button", "Hello\n\n<a href=\"https://news.example\" style=\"background:#c00;padding:12px\">Read it</a>\n",
			[]DroppedItem{{What: "<a>", Line: 3, Note: "its text is kept, not as a link"}}},
		{"inline tags, each kind once", "Some <font color=red>red</font> and\n<span class=\"x\">span</span>, <font>again</font><br>\n\n<span>more</span>\n",
			[]DroppedItem{
				{What: "<font>", Line: 1, Note: "its text is kept"},
				{What: "<span>", Line: 2, Note: "its text is kept"},
				{What: "<br>", Line: 2},
			}},
		{"blocks of HTML go whole", "Intro {{ .Name }}\n\n<div align=\"center\">\nhello <font color=red>red</font>\n</div>\n\n<center>Centred</center>\n\n" +
			"<table width=600>\n<tr><td>cell</td></tr>\n</table>\n",
			[]DroppedItem{
				{What: "<div>", Line: 3, Note: "with the text of lines 3 to 5"},
				{What: "<center>", Line: 7, Note: "with the text of its line"},
				{What: "<table>", Line: 9, Note: "with the text of lines 9 to 11"},
			}},
		{"a block's own tag names it", "Intro\n\n</div>\nText lost\n\n<p>\n<font>x</font>\n\n<font>kept</font>\n",
			[]DroppedItem{
				{What: "<div>", Line: 3, Note: "with the text of lines 3 to 4"},
				{What: "<p>", Line: 6, Note: "with the text of lines 6 to 7"},
				{What: "<font>", Line: 9, Note: "its text is kept"},
			}},
		{"a tag spread over lines", "Text <a\nhref=\"https://x.example\">x</a>\n",
			[]DroppedItem{{What: "<a>", Line: 1, Note: "its text is kept, not as a link"}}},
		{"tags in code are text", "`<font>` and\n\n    <div>\n\n```\n<center>\n```\n", nil},
		{"refused elements are told on saving", "<script>x()</script>\n\nText <iframe src=\"https://x.example\"></iframe>\n", nil},
		{"what the sanitiser takes out", "Intro\n\n- [ ] todo\n- [x] done\n\n3. third\n4. fourth\n\n| a | b |\n|:-:|--:|\n| 1 | 2 |\n\n" +
			"A [call](tel:+441234) and\n[bad](javascript:alert(1)) ![pic](data:image/png;base64,AAAA)\n",
			[]DroppedItem{
				{What: "the checkboxes of a task list", Line: 3, Note: "its text is kept"},
				{What: "the number a list starts at", Line: 6, Note: "it counts from 1"},
				{What: "the alignment of a table's columns", Line: 9},
				{What: "a link whose address is not a web or mail address", Line: 13, Note: "its text is kept"},
				{What: "an image whose address is not a web address", Line: 14},
			}},
		{"an image is placed at its own line, not its paragraph's first", "Intro\nmore\n<img src=\"https://news.example/a.png\" width=\"auto\">\n\n" +
			"Text\nand <img src=\"javascript:alert(1)\" alt=\"x\"> inline\n\nThen\n![](ftp://news.example/b.png)\n",
			[]DroppedItem{
				{What: "the width attribute of <img>", Line: 3},
				{What: "an image whose address is not a web address", Line: 6},
			}},
		{"an image without alt text", "Intro\nthen\n![](ftp://news.example/b.png)\n", []DroppedItem{{What: "an image whose address is not a web address", Line: 3}}},
		{"CRLF lines", "One\r\n\r\n<font color=red>x</font>\r\n", []DroppedItem{{What: "<font>", Line: 3, Note: "its text is kept"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Dropped(tt.body)); diff != "" {
				t.Errorf("Dropped(%q) (-want +got):\n%s", tt.body, diff)
			}
		})
	}
}
