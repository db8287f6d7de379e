package campaigns

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/bulletinhq/bulletin/internal/prose"
	"github.com/bulletinhq/bulletin/subscribers"
)

// Raw HTML in a body: goldmark leaves out every tag (Bulletin renders
// without its unsafe option), and the sanitiser never sees one. The text
// between an inline opening and closing tag is Markdown text like any
// other, so "<b>bold</b>" reads "bold", which is what its writer meant,
// and a link or an image written as a tag reads as its text or not at
// all. An HTML block (a line starting with a tag such as <div> or
// <iframe>, up to the next blank line) goes whole. The elements below
// hold no text for readers, or do nothing without a browser: their text,
// a script or a style sheet, would be printed in every mail, test send
// and archive page, and a pasted embed (a video's <iframe>, a post's
// <blockquote> and <script>) would go without a word. A body holding one
// is refused when it is saved (refusedElement, bodyFaults), and one stored
// before is sent, previewed and shown in the archive with each such
// element gone whole, its text too (elementDropper).

// refusedElements maps each element a body may not hold to what its
// writer is told to do instead.
var refusedElements = func() map[string]string {
	const (
		embeds = "mail cannot run scripts or embeds: link to the page instead"
		styles = "a mail takes no style sheet from its body: write it in Markdown, and the mail's template gives it its look"
		forms  = "mail cannot hold a form: link to the form's page instead"
	)
	m := map[string]string{"style": styles}
	for _, name := range strings.Fields("script noscript template iframe frame frameset noframes object embed noembed applet video audio canvas svg math portal") {
		m[name] = embeds
	}
	for _, name := range strings.Fields("form input button select option optgroup datalist textarea output") {
		m[name] = forms
	}
	return m
}()

// voidElements are the refused elements that have no closing tag, nor
// text: dropping their tag drops them whole.
var voidElements = map[string]bool{"embed": true, "frame": true, "input": true}

// htmlTag matches an opening or closing tag in raw HTML: its slash and
// its name.
var htmlTag = regexp.MustCompile(`<(/?)([A-Za-z][A-Za-z0-9-]*)`)

// htmlComment matches a comment in raw HTML, whose text is no tag.
var htmlComment = regexp.MustCompile(`(?s)<!--.*?-->`)

// An elementError is one of elementFaults. A body stored before it
// is sent as it is, each element gone whole, and is duplicated and its
// list saved as it is (subscribers.NewTextOnly); saving the campaign
// itself tells its editor (Campaign.validate).
type elementError struct{ msg string }

func (e *elementError) Error() string     { return e.msg }
func (e *elementError) NewTextOnly() bool { return true }

var _ subscribers.NewTextOnly = (*elementError)(nil)

// refusedElement refuses body when its raw HTML holds an element of
// refusedElements: every one of them (elementFaults), joined, one a line.
func refusedElement(body string) error { return errors.Join(elementFaults(body)...) }

// elementFaults is a fault for each element of refusedElements that the
// raw HTML of body holds, naming it and its line, the first maxFaults of
// them; what to do instead is said once for each kind (a script, a style
// sheet, a form), with the first of it. Naming the first alone left an
// editor one refusal a save. A tag in a code span or a code block is
// text, and a comment is nothing: neither is refused.
func elementFaults(body string) []error {
	src := []byte(strings.ReplaceAll(body, "\r\n", "\n"))
	type found struct {
		name string
		at   int // where its tag starts in src
	}
	var all []found
	doc := markdown.Parser().Parse(text.NewReader(src))
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		var raw rawHTML
		switch n := n.(type) {
		case *ast.RawHTML:
			raw.add(n.Segments, src)
		case *ast.HTMLBlock:
			raw.add(n.Lines(), src)
			if n.HasClosure() {
				raw.addOne(n.ClosureLine, src)
			}
		default:
			return ast.WalkContinue, nil
		}
		// A comment is blanked, not taken out, so that each place
		// in the text is where it was.
		s := htmlComment.ReplaceAllStringFunc(raw.text.String(), func(c string) string { return strings.Repeat(" ", len(c)) })
		for _, m := range htmlTag.FindAllStringSubmatchIndex(s, -1) {
			if name := strings.ToLower(s[m[4]:m[5]]); refusedElements[name] != "" && m[3] == m[2] {
				all = append(all, found{name, raw.srcAt(m[0])})
			}
		}
		return ast.WalkContinue, nil
	})
	advised := map[string]bool{}
	line, lineAt := 1, 0
	return namedFaults(len(all), func(i int) error {
		f := all[i]
		// The walk is in the order of the text: each line is counted
		// from the one before.
		if f.at < lineAt {
			line, lineAt = 1, 0
		}
		line += bytes.Count(src[lineAt:f.at], []byte("\n"))
		lineAt = f.at
		msg := fmt.Sprintf("line %d: take out the <%s>", line, f.name)
		if advice := refusedElements[f.name]; !advised[advice] {
			advised[advice] = true
			msg += ": " + advice
		}
		return &elementError{msg}
	}, func(more int) error {
		return &elementError{"and " + prose.Count(more, "more element", "more elements") + " mail cannot show"}
	})
}

// segmentsText is the text of segs in src.
func segmentsText(segs *text.Segments, src []byte) string {
	var b strings.Builder
	for i := range segs.Len() {
		seg := segs.At(i)
		b.Write(seg.Value(src))
	}
	return b.String()
}

// rawHTML is the text of a node's raw HTML, and where each of its
// segments starts in it and in the source, so that a place in the text is
// one in the source.
type rawHTML struct {
	text     strings.Builder
	textAt   []int
	sourceAt []int
}

// add adds the segments segs of src.
func (r *rawHTML) add(segs *text.Segments, src []byte) {
	for i := range segs.Len() {
		r.addOne(segs.At(i), src)
	}
}

// addOne adds the segment seg of src.
func (r *rawHTML) addOne(seg text.Segment, src []byte) {
	r.textAt = append(r.textAt, r.text.Len())
	r.sourceAt = append(r.sourceAt, seg.Start)
	r.text.Write(seg.Value(src))
}

// srcAt is where in the source the text's byte at i is.
func (r *rawHTML) srcAt(i int) int {
	j, found := slices.BinarySearch(r.textAt, i)
	if !found {
		j--
	}
	if j < 0 {
		return 0
	}
	return r.sourceAt[j] + i - r.textAt[j]
}

// An elementDropper takes out of a parsed body the text inside each
// inline element of refusedElements, from its opening tag to its closing
// one, or to the end of the block it opens in when it is not closed
// there: what a body stored before refusedElement holds is sent without
// it, in both parts. Its tags are left, for Markdown to leave out as it
// leaves out any tag, and for refusedElement to find.
type elementDropper struct{}

// Transform drops the refused elements' text from every list of inline
// nodes of doc.
func (elementDropper) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering && n.FirstChild() != nil && n.FirstChild().Type() == ast.TypeInline {
			dropInside(n, src)
		}
		return ast.WalkContinue, nil
	})
}

// dropInside removes the children of n between the opening tag of a
// refused element and its closing tag, or the last child.
func dropInside(n ast.Node, src []byte) {
	open, depth := "", 0
	for c := n.FirstChild(); c != nil; {
		next := c.NextSibling()
		closing, name := "", ""
		if raw, ok := c.(*ast.RawHTML); ok {
			s := segmentsText(raw.Segments, src)
			if m := htmlTag.FindStringSubmatch(s); m != nil && strings.HasPrefix(s, m[0]) {
				closing, name = m[1], strings.ToLower(m[2])
			}
			selfClosed := strings.HasSuffix(strings.TrimSpace(s), "/>")
			switch {
			case open == "" && closing == "" && refusedElements[name] != "" && !voidElements[name] && !selfClosed:
				open, depth = name, 1
			case open != "" && name == open && closing == "" && !selfClosed:
				depth++
			case open != "" && name == open && closing == "/":
				if depth--; depth == 0 {
					open = ""
				}
			}
		} else if open != "" {
			n.RemoveChild(n, c)
		}
		c = next
	}
}
