package campaigns

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark/ast"

	"github.com/bulletinhq/bulletin/mailer"
)

// A text part's block that holds only bare names readers without a name
// do not read (bareNames.only) is not there for them, as its element is
// not in the HTML part (dropElements): a run of such blocks of one
// container, the lines between them and one separator goes in a fallback
// of its own, read by readers with a name only. Its markers stand where
// they leave a reader without a name what the container would read
// without the run (no blank line, no empty item), and where the
// preheader, made from the text's lines, finds them.
//   - When a block of the container comes before the run, the fallback
//     starts at the end of that block's last line and ends at the end of
//     the run's last: the block's line break is the one a reader without
//     a name reads, and then the separator after the run. A paragraph the
//     mailer may wrap again may end before the fallback starts
//     (mailer.Markers.ParagraphEnd).
//   - Else, when one follows the run, the fallback starts after the
//     prefix of the run's first line and ends after the prefix of that
//     block's first line: its text takes the run's place, under the
//     run's prefix ("- ", "1. "). A paragraph the mailer may wrap again
//     starts after those markers (mailer.Markers.LineMark).
//   - Else the container holds nothing else they read, as the document
//     may: the fallback starts after the first prefix and ends with the
//     run's last line.
//
// In an ordered list, a reader without a name reads the items after the
// run numbered on from those before it: their numbers are fallbacks.

// A nameRun is a run of blocks of one container that readers without a
// name do not read, as it is being written.
type nameRun struct {
	// after says the run ends before a block that follows it, after its
	// prefix.
	after bool
	// pStart and pEnd are where the last line written before the run
	// starts and ends (its line break) in the text, or -1.
	pStart, pEnd int
}

// gone says which of kids readers without a name do not read, or is nil
// when they read all. A tight list item's text goes only with its item.
func (w *textWriter) gone(kids []ast.Node) []bool {
	if !w.named {
		return nil
	}
	var out []bool
	for i, c := range kids {
		if _, ok := c.(*ast.TextBlock); ok || !w.nameOnly(c) {
			continue
		}
		if out == nil {
			out = make([]bool, len(kids))
		}
		out[i] = true
	}
	return out
}

// nameOnly says readers without a name read nothing of the block n.
func (w *textWriter) nameOnly(n ast.Node) bool {
	if w.names == nil || w.names.off {
		return false
	}
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		return w.holdsName(n) && w.names.only(w.inline(n))
	case *ast.Heading:
		return w.holdsName(n) && w.names.only(oneLineText(w.inline(n)))
	case *ast.ListItem, *ast.List, *ast.Blockquote:
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if !w.nameOnly(c) {
				return false
			}
		}
		return n.HasChildren()
	}
	return false
}

// holdsName says the source lines of the block n hold the name.
func (w *textWriter) holdsName(n ast.Node) bool {
	name := []byte(w.mk.Of(mailer.Name))
	lines := n.Lines()
	for i := range lines.Len() {
		if seg := lines.At(i); bytes.Contains(seg.Value(w.src), name) {
			return true
		}
	}
	return false
}

// leftOut says the block n writes nothing.
func leftOut(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.HTMLBlock:
		return true
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		return n.Lines().Len() == 0
	}
	return false
}

// children are the blocks n holds.
func children(n ast.Node) []ast.Node {
	var out []ast.Node
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		out = append(out, c)
	}
	return out
}

// startRun starts the run of gone blocks at kids[i], wrote saying a
// block of the container was written before it. lead goes after the
// prefix of the run's first line.
func (w *textWriter) startRun(kids []ast.Node, gone []bool, i int, wrote bool) (r *nameRun, lead string) {
	r = &nameRun{pStart: -1, pEnd: -1}
	if wrote {
		r.pStart, r.pEnd = w.lineStart, w.lineEnd
		return r, ""
	}
	for j := i + 1; j < len(kids); j++ {
		if !gone[j] && !leftOut(kids[j]) {
			r.after = true
		}
	}
	return r, w.mk.Of(mailer.IfName)
}

// endRun ends r before the block that follows it, and returns what goes
// after the prefix of that block's first line.
func (w *textWriter) endRun(r *nameRun) string {
	if r.after {
		return w.ending()
	}
	w.closeRun(r)
	return ""
}

// ending ends a run's fallback.
func (w *textWriter) ending() string {
	return w.mk.Of(mailer.ElseName) + w.mk.Of(mailer.EndName)
}

// closeRun ends r at the end of the last line written, the run's last.
func (w *textWriter) closeRun(r *nameRun) {
	s, end := w.b.String(), w.lineEnd
	var b strings.Builder
	if r.pEnd >= 0 {
		b.WriteString(s[:r.pStart])
		b.WriteString(w.ruleLine(s[r.pStart:r.pEnd]))
		b.WriteString(w.mk.Of(mailer.IfName))
		b.WriteString(s[r.pEnd:end])
	} else {
		b.WriteString(s[:end])
	}
	shift := b.Len() - end
	b.WriteString(w.ending())
	b.WriteString(s[end:])
	w.b.Reset()
	w.b.WriteString(b.String())
	last := s[w.lineStart:end]
	w.lineStart += shift
	w.lineEnd = end + shift + len(w.ending())
	// The run's last line is a heading's rule, which the preheader leaves
	// out with the fallback's end: the next line the preheader reads ends
	// it too (strayEnd).
	w.strayEnd = strings.Contains(last, w.mk.Of(mailer.Rule)) || strings.Contains(last, w.mk.Of(mailer.RuleDash))
}

// preheaderSkips says the preheader leaves out line, a line of the text
// as written, its prefix too, by the preheader's own rules
// (preheaderLine): a rule, a heading's underline, a line of a URL only,
// or a blank one.
func (w *textWriter) preheaderSkips(line string) bool {
	_, reads := preheaderLine(line, w.mk)
	return !reads
}

// ruleLine is line, a line of the text, with a rule of '-' or '=' in it
// (a heading's, or a thematic break) between rule markers, as a heading
// holding a field has its rule (mailer.Markers.Rules), so that the
// preheader, which leaves out rules, leaves it out with the marker after
// it.
func (w *textWriter) ruleLine(line string) string {
	rule := strings.TrimLeft(line, " >")
	if rule == "" || strings.Trim(rule, "-") != "" && strings.Trim(rule, "=") != "" {
		return line
	}
	open := mailer.RuleDash
	if rule[0] == '=' {
		open = mailer.Rule
	}
	return line[:len(line)-len(rule)] + w.mk.Of(open) + rule + w.mk.Of(mailer.EndRule)
}

// namelessLines are the lines a reader without a name reads of line, a
// hard line of text not wrapped again by the mailer, wrapped at width, as
// the mailer wraps a paragraph for them: its names put in their fallbacks
// before it is wrapped, so that a fallback holding the space before a
// name may run across the line break put in that space, the lines are
// wrapped for a reader with a name, and a reader without one reads the
// lines around the break as one ("Dear,"). When that, or a "Your" longer
// than the name's side was measured, makes a line too long, the whole
// line is wrapped again.
func (w *textWriter) namelessLines(line string, width int) []string {
	measure := func(s string) int { return w.measure(w.fb.withCapitals(s)) }
	whole := wrapMeasured(w.names.wrap(line, true), width, w.measure)
	out := strings.Split(w.mk.Choose(whole, false), "\n")
	for _, l := range out {
		if measure(l) > width && strings.Contains(l, " ") {
			return strings.Split(wrapMeasured(strings.Join(out, " "), width, measure), "\n")
		}
	}
	return out
}

// sided is lines of text as readers with a name read them, named, and as
// readers without one do, nameless, in one fallback running across the
// lines, each line still a line of its own that takes its prefix. The
// text both read alike at the start of the first lines and at the end of
// the last ones stays out of it: the preheader, made from these lines,
// can be cut there.
func (w *textWriter) sided(named, nameless []string) []string {
	a, b := named[0], nameless[0]
	y, z := named[len(named)-1], nameless[len(nameless)-1]
	p := alike(a, b, false)
	q := alike(y, z, true)
	if len(named) == 1 && len(nameless) == 1 {
		q = min(q, len(a)-p, len(b)-p)
	}
	n, u := strings.Join(named, "\n"), strings.Join(nameless, "\n")
	return strings.Split(n[:p]+w.mk.Of(mailer.IfName)+n[p:len(n)-q]+
		w.mk.Of(mailer.ElseName)+u[p:len(u)-q]+w.mk.Of(mailer.EndName)+n[len(n)-q:], "\n")
}

// alike is the length of the text a and b start with (or end with, when
// last), whole lines or whole words, and no marker or placeholder cut.
func alike(a, b string, last bool) int {
	n := 0
	for n < len(a) && n < len(b) && (!last && a[n] == b[n] || last && a[len(a)-1-n] == b[len(b)-1-n]) {
		n++
	}
	switch {
	case n == len(a) || n == len(b):
		return n
	case last:
		i := strings.IndexByte(a[len(a)-n:], ' ')
		if i < 0 {
			return 0
		}
		return n - i - 1
	}
	return strings.LastIndexByte(a[:n], ' ') + 1
}

// wrapLine wraps line, a hard line of text, at width columns, for lines
// the mailer does not wrap again, and returns them with the one a
// heading's rule is as long as. The bare names of each line are put in
// fallbacks of their own, as long as a reader without a name reads the
// lines so as they read the whole line (namelessLines): else those lines
// are in one fallback instead, each reader's side wrapped for them, and
// so is the line the rule copies.
func (w *textWriter) wrapLine(line string, width int) (lines []string, longest string) {
	width = max(width, 20)
	named := strings.Split(wrapMeasured(line, width, w.measure), "\n")
	lines = make([]string, len(named))
	for i, l := range named {
		lines[i] = w.names.wrap(l, i == 0)
	}
	longest = w.longest(lines)
	if w.names == nil || w.names.off || !strings.Contains(line, w.mk.Of(mailer.Name)) {
		return lines, longest
	}
	nameless := w.namelessLines(line, width)
	k := 0 // the lines read alike
	for k < len(lines) && k < len(nameless) &&
		w.fb.withCapitals(w.mk.Choose(lines[k], false)) == w.fb.withCapitals(nameless[k]) {
		k++
	}
	if k == len(lines) && k == len(nameless) {
		return lines, longest
	}
	k = min(k, len(lines)-1, len(nameless)-1)
	for i := k; i < len(named); i++ {
		named[i] = w.names.unmark(w.mk.Choose(named[i], true))
	}
	lines = append(lines[:k], w.sided(named[k:], nameless[k:])...)
	long := nameless[0]
	for _, l := range nameless[1:] {
		if w.measure(w.fb.withCapitals(l)) > w.measure(w.fb.withCapitals(long)) {
			long = l
		}
	}
	return lines, w.sided([]string{w.mk.Choose(longest, true)}, []string{long})[0]
}
