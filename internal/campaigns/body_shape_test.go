package campaigns

import (
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/mailer"
)

// bodyFault is the body field's reason when c is refused, "" when not.
func bodyFault(t *testing.T, body string) string {
	t.Helper()
	c := &Campaign{Subject: "Shapes", Body: body, Lists: []string{"news"}}
	return bulletin.ErrorFields(c.validate(time.Now(), ""))["body"]
}

// A body of quotes nested 100,000 deep (200 KB, under the 512 KiB a body
// may be) took serve to 18 GB and no answer in 10 minutes, parsed by
// goldmark for the save and again at every view. It is refused before
// anything parses it, naming the line, and every path that renders a
// body stored before the check renders nothing of it.
func TestDeeplyNestedBodyIsRefusedUnparsed(t *testing.T) {
	body := strings.Repeat("> ", 100_000) + "x"
	want := "line 1: quotes and lists nested 100,000 deep: nest them at most 16 deep\n" +
		"line 1: a block of 200,002 characters with no blank line in it, which takes Markdown too long to read: put blank lines between its paragraphs, each at most 16,384 characters"
	if got := bodyFault(t, body); got != want {
		t.Errorf("body fault = %q, want %q", got, want)
	}
	if _, _, err := Render(body, mailer.NewMarkers()); err == nil || !strings.Contains(err.Error(), "too deeply nested") {
		t.Errorf("Render of the stored body: err = %v, want the shape's", err)
	}
	if got := Dropped(body); got != nil {
		t.Errorf("Dropped = %v, want nothing (not parsed)", got)
	}
	if got := plainText(body); got != "" {
		t.Errorf("plainText = %q, want no summary", got)
	}
	if err := CheckBody(body); err == nil {
		t.Error("CheckBody (a list's welcome text) took the body")
	}
}

// Nesting is counted by markers and by the indentation that nests a list
// in the one above; a thematic break, a fenced block and a line without
// a marker nest nothing. 16 levels are taken, as is a usual body.
func TestNestingLimitCountsMarkersAndIndentation(t *testing.T) {
	var lists strings.Builder
	for level := range 18 {
		lists.WriteString(strings.Repeat("  ", level) + "- level\n")
	}
	cases := []struct{ name, body, want string }{
		{"16 quotes", strings.Repeat("> ", 16) + "x", ""},
		{"17 quotes", "Intro\n\n" + strings.Repeat("> ", 17) + "x", "line 3: quotes and lists nested 17 deep: nest them at most 16 deep"},
		{"mixed markers", strings.Repeat("> 1. - ", 6) + "x", "line 1: quotes and lists nested 18 deep: nest them at most 16 deep"},
		{"indented lists", lists.String(), "line 17: quotes and lists nested 17 deep: nest them at most 16 deep\nline 18: quotes and lists nested 18 deep: nest them at most 16 deep"},
		{"thematic break", strings.Repeat("- ", 40) + "\n\nText", ""},
		{"fenced", "```\n" + strings.Repeat("> ", 40) + "\n```\n\nText", ""},
		{"indented prose", strings.Repeat(" ", 3) + "Some text with " + strings.Repeat(" ", 60) + "spaces", ""},
		{"usual", "# News\n\n> A quote\n> > in a quote\n\n- one\n  - two\n    - three\n\n1. first\n2. second", ""},
	}
	for _, c := range cases {
		if got := bodyFault(t, c.body); got != c.want {
			t.Errorf("%s: body fault = %q, want %q", c.name, got, c.want)
		}
	}
}

// A block (lines with no blank line between them) is at most 16 KiB, and
// holds at most 500 of one of the characters that open a link, a tag, an
// emphasis or a code span: goldmark's time grows with the square of
// either. The fault names the block's first line; blank lines between
// the same text make it a body that saves, and a fenced block is text.
func TestLongBlocksAndManyOpenersAreRefused(t *testing.T) {
	para := strings.Repeat("word ", 800) // 4,000 bytes
	long := "# Title\n\n" + strings.TrimSuffix(strings.Repeat(para+"\n", 5), "\n")
	if got, want := bodyFault(t, long), "line 3: a block of 20,005 characters with no blank line in it, which takes Markdown too long to read: put blank lines between its paragraphs, each at most 16,384 characters"; got != want {
		t.Errorf("a 20 KB block: body fault = %q, want %q", got, want)
	}
	if got := bodyFault(t, strings.Repeat(para+"\n\n", 5)); got != "" {
		t.Errorf("the same text in paragraphs: body fault = %q, want none", got)
	}
	links := strings.Repeat("[a](", 501)
	if got, want := bodyFault(t, links), `line 1: a block with 501 "[" and no blank line in it, which takes Markdown too long to read: put blank lines between its paragraphs, with at most 500 in each`; got != want {
		t.Errorf("501 unclosed links: body fault = %q, want %q", got, want)
	}
	var ok strings.Builder
	for range 500 {
		ok.WriteString("[a](https://example.com/a) ")
	}
	if got := bodyFault(t, ok.String()); got != "" {
		t.Errorf("500 links in a paragraph: body fault = %q, want none", got)
	}
	code := "~~~\n" + strings.Repeat("<a>*_`[\n", 4000) + "~~~"
	if got := bodyFault(t, code); got != "" {
		t.Errorf("a long fenced block: body fault = %q, want none", got)
	}
}
