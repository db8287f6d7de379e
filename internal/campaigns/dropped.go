package campaigns

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"golang.org/x/net/html"
)

// What a body writes can be left out of its mail in two ways, neither of
// which stops it saving or sending. HTML typed into the Markdown goes
// before the sanitiser sees it: Markdown is rendered without its unsafe
// option (see render_elements.go), so a tag within a line goes with its
// attributes and leaves its text, and a tag that opens a block of HTML,
// such as <div> or <table> at the start of a line, takes the block's
// text with it. Then the sanitiser trims what Markdown makes but mail
// should not hold: a task list's checkboxes, a table's column alignment,
// a link or an image whose address is not a web address. Dropped finds
// both, so the campaign's page can tell the editor why the preview does
// not look as written. Saving a new or changed body with such an image
// is refused (imageFaults); one stored before is still named here.

// A DroppedItem is one kind of thing a body writes that its mail leaves
// out, as the campaign's page names it: What ("<font>", "the alignment
// of a table's columns"), the Line of the body where it first appears,
// and Note, what else is said of it ("its text is kept"), if anything.
type DroppedItem struct {
	What string
	Line int
	Note string
}

// Dropped lists what body writes that its mail leaves out, each kind once
// at its first line, in the order of the body. The elements a body may
// not hold at all (refusedElements) are not listed: saving such a body is
// refused with its own message. A body whose fields do not parse is
// looked at as written.
func Dropped(body string) []DroppedItem {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	if shapeFaults(body) != nil {
		return nil // not parsed: it does not render either (Render)
	}
	d := &dropFinder{src: []byte(maskFields(body))}
	d.walk(markdown.Parser().Parse(text.NewReader(d.src)))
	sort.SliceStable(d.found, func(i, j int) bool { return d.found[i].Line < d.found[j].Line })
	seen := map[string]bool{}
	var out []DroppedItem
	for _, it := range d.found {
		if !seen[it.What] {
			seen[it.What] = true
			out = append(out, it)
		}
	}
	return out
}

// maskFields writes each personal field of body as letters of its
// length, so a fallback's text ({{ .Name | default "<b>you</b>" }}),
// which the mail shows as text, is not taken for HTML, and a field in a
// link's URL leaves the link a link, while every line keeps its place.
func maskFields(body string) string {
	fields, err := parseFields(body)
	if err != nil {
		return body
	}
	b := []byte(body)
	for _, f := range fields {
		copy(b[f.start:f.end], strings.Repeat("x", f.end-f.start))
	}
	return string(b)
}

// A dropFinder walks a parsed body, collecting what its mail leaves out.
type dropFinder struct {
	src    []byte
	found  []DroppedItem
	breaks []int // the offsets of src's line breaks, once line has read them
}

// walk looks at n and what it holds. The sanitiser's cuts are found by
// rendering parts of the body on their own, before and after it, so each
// is placed at the line of the part it is in: an inline element (a link,
// a checkbox) or a whole table, whose alignment is on its cells. Of a
// block holding other blocks, such as a list, only its own tag is
// compared, as its children are compared on their own.
func (d *dropFinder) walk(n ast.Node) {
	switch n := n.(type) {
	case *ast.HTMLBlock:
		d.htmlBlock(n)
		return
	case *ast.RawHTML:
		d.rawHTML(n)
		return
	case *east.Table:
		d.compare(n, false)
		d.rawWithin(n)
		return
	case *ast.Document, *ast.TextBlock, *ast.Text, *ast.String, *ast.CodeSpan:
		// None has a tag of its own, or one the sanitiser takes.
	case *ast.Blockquote, *ast.ListItem, *ast.Emphasis, *east.Strikethrough, *ast.Paragraph, *ast.Heading:
		// The sanitiser keeps their tags, which have no attributes
		// (the parser makes no heading ids); what they hold is looked
		// at on its own. Rendering each with all it holds, as compare
		// would, made a body of quotes within quotes cost its depth
		// times its size, and every paragraph cost a render and a
		// sanitising of its own.
	case *ast.List:
		d.listStart(n)
	default:
		if n.Type() == ast.TypeInline {
			d.compare(n, false)
			d.rawWithin(n)
			return
		}
		d.compare(n, n.FirstChild() != nil)
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		d.walk(c)
	}
}

// listStart notes a numbered list that does not start at 1, whose start
// the sanitiser takes: the list's own tag, told without rendering what
// it holds.
func (d *dropFinder) listStart(n *ast.List) {
	if !n.IsOrdered() || n.Start == 1 {
		return
	}
	if strings.Contains(sanitizer.Sanitize(fmt.Sprintf(`<ol start="%d"></ol>`, n.Start)), "start=") {
		return
	}
	it := describeDrop("ol", "start")
	it.Line = d.lineOf(n)
	d.found = append(d.found, it)
}

// rawWithin finds the raw HTML inside the inline nodes of n.
func (d *dropFinder) rawWithin(n ast.Node) {
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if raw, ok := c.(*ast.RawHTML); ok && entering && c != n {
			d.rawHTML(raw)
		}
		return ast.WalkContinue, nil
	})
}

// rawHTML notes the tags of raw HTML within a line: each goes, and the
// text around it stays.
func (d *dropFinder) rawHTML(n *ast.RawHTML) {
	d.tags(n.Segments, false, func(name string) string {
		switch {
		case voidElement[name]:
			return ""
		case name == "a":
			return "its text is kept, not as a link"
		}
		return "its text is kept"
	})
}

// htmlBlock notes a block of raw HTML, which goes whole, from its first
// line to its last, by its first tag: the elements inside it go because
// it does, and naming them all would crowd out the rest. A block opened
// by an element that is refused is that refusal's to tell.
func (d *dropFinder) htmlBlock(n *ast.HTMLBlock) {
	lines := text.NewSegments()
	for i := range n.Lines().Len() {
		lines.Append(n.Lines().At(i))
	}
	if n.HasClosure() {
		lines.Append(n.ClosureLine)
	}
	if lines.Len() == 0 {
		return
	}
	first := d.line(lines.At(0).Start)
	last := d.line(max(lines.At(lines.Len()-1).Stop-1, lines.At(lines.Len()-1).Start))
	note := fmt.Sprintf("with the text of lines %d to %d", first, last)
	if first == last {
		note = "with the text of its line"
	}
	d.tags(lines, true, func(string) string { return note })
}

// voidElement holds the elements that have no text of their own to keep.
var voidElement = func() map[string]bool {
	m := map[string]bool{}
	for _, name := range strings.Fields("area base br col embed hr img input link meta param source track wbr") {
		m[name] = true
	}
	return m
}()

// tags notes each opening tag in the raw HTML of segs, at its own line,
// with the note noteOf gives its element's name; or, when first, only the
// first tag, opening or closing. Closing tags otherwise, comments and the
// refused elements are left to others, or are nothing.
func (d *dropFinder) tags(segs *text.Segments, first bool, noteOf func(name string) string) {
	var raw []byte
	var starts []int // where each segment of segs begins in raw
	for i := range segs.Len() {
		seg := segs.At(i)
		starts = append(starts, len(raw))
		raw = append(raw, seg.Value(d.src)...)
	}
	z := html.NewTokenizer(bytes.NewReader(raw))
	for at := 0; ; {
		tt := z.Next()
		tokenAt := at
		at += len(z.Raw())
		switch tt {
		case html.ErrorToken:
			return
		case html.StartTagToken, html.SelfClosingTagToken:
		case html.EndTagToken:
			if !first {
				continue
			}
		default:
			continue
		}
		b, _ := z.TagName()
		name := string(b)
		if refusedElements[name] == "" {
			i := sort.SearchInts(starts, tokenAt+1) - 1
			pos := segs.At(i).Start + tokenAt - starts[i]
			d.found = append(d.found, DroppedItem{What: "<" + name + ">", Line: d.line(pos), Note: noteOf(name)})
		}
		if first {
			return
		}
	}
}

// compare renders n as the mail does and notes what the sanitiser takes
// out of it: only n's own tag when ownTag, else all of it.
func (d *dropFinder) compare(n ast.Node, ownTag bool) {
	var buf bytes.Buffer
	if err := markdown.Renderer().Render(&buf, d.src, n); err != nil {
		return
	}
	before, after := tallyOf(buf.String(), ownTag), tallyOf(sanitizer.Sanitize(buf.String()), ownTag)
	var lost []DroppedItem
	for name, count := range before.elements {
		if count > after.elements[name] {
			lost = append(lost, describeDrop(name, ""))
		}
	}
	for p, count := range before.attrs {
		// An element the sanitiser takes out takes its attributes with
		// it: only an attribute taken from an element it keeps is told.
		gone := before.elements[p[0]] - after.elements[p[0]]
		if count-gone > after.attrs[p] && !keptOut[p] {
			lost = append(lost, describeDrop(p[0], p[1]))
		}
	}
	if len(lost) == 0 {
		return
	}
	sort.Slice(lost, func(i, j int) bool { return lost[i].What < lost[j].What })
	line := d.lineOf(n)
	for _, it := range lost {
		it.Line = line
		d.found = append(d.found, it)
	}
}

// keptOut are the attributes Markdown writes that the sanitiser may take
// out without the mail looking any different: a code block's language,
// which no mail client colours by.
var keptOut = map[[2]string]bool{{"code", "class"}: true}

// A tally counts the opening tags of some HTML by element name, and by
// element name and attribute.
type tally struct {
	elements map[string]int
	attrs    map[[2]string]int
}

// tallyOf counts the opening tags of s, or only its first when first.
func tallyOf(s string, first bool) tally {
	t := tally{elements: map[string]int{}, attrs: map[[2]string]int{}}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return t
		case html.StartTagToken, html.SelfClosingTagToken:
		default:
			continue
		}
		b, more := z.TagName()
		name := string(b)
		t.elements[name]++
		for more {
			var key []byte
			key, _, more = z.TagAttr()
			t.attrs[[2]string{name, string(key)}]++
		}
		if first {
			return t
		}
	}
}

// describeDrop words what the sanitiser took out: the element name, or
// its attribute attr, as Markdown made them.
func describeDrop(name, attr string) DroppedItem {
	switch {
	case name == "input" && attr == "":
		return DroppedItem{What: "the checkboxes of a task list", Note: "its text is kept"}
	case (name == "th" || name == "td") && attr == "style":
		return DroppedItem{What: "the alignment of a table's columns"}
	case name == "a" && attr == "":
		return DroppedItem{What: "a link whose address is not a web or mail address", Note: "its text is kept"}
	case name == "ol" && attr == "start":
		return DroppedItem{What: "the number a list starts at", Note: "it counts from 1"}
	case name == "img" && attr == "src":
		return DroppedItem{What: "an image whose address is not a web address"}
	case attr == "":
		return DroppedItem{What: "<" + name + ">"}
	}
	return DroppedItem{What: "the " + attr + " attribute of <" + name + ">"}
}

// lineOf is the line n starts on: where the parser found it, for an
// inline element such as a link or an image (an image has no text of its
// own to place it by when it has no alt text, or was written as an HTML
// tag, and was said to be on its paragraph's first line); else that of
// its first text or raw HTML, or of the nearest block holding it with
// lines of its own (a task list's checkbox is only a mark on its item's
// line).
func (d *dropFinder) lineOf(n ast.Node) int {
	if n.Type() == ast.TypeInline && n.Pos() >= 0 {
		return d.line(n.Pos())
	}
	pos := -1
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			pos = c.Segment.Start
		case *ast.RawHTML:
			if c.Segments.Len() > 0 {
				pos = c.Segments.At(0).Start
			}
		default:
			if c.Type() == ast.TypeBlock && c.Lines().Len() > 0 {
				pos = c.Lines().At(0).Start
			}
		}
		if pos >= 0 {
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	for p := n.Parent(); pos < 0 && p != nil; p = p.Parent() {
		if p.Type() == ast.TypeBlock && p.Lines().Len() > 0 {
			pos = p.Lines().At(0).Start
		}
	}
	return d.line(max(pos, 0))
}

// line is the line of the body at byte offset pos, from 1: one more than
// the line breaks before pos, found in the offsets of all of them, read
// once.
func (d *dropFinder) line(pos int) int {
	if d.breaks == nil {
		d.breaks = []int{}
		for i, c := range d.src {
			if c == '\n' {
				d.breaks = append(d.breaks, i)
			}
		}
	}
	return 1 + sort.SearchInts(d.breaks, min(pos, len(d.src)))
}
