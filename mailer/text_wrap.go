package mailer

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// TextWidth is the column a campaign's text part wraps its prose at.
const TextWidth = 72

// A text part's paragraphs are wrapped once for all readers, with the
// name and the address measured as nothing: only the message knows them.
// A paragraph that holds either is marked, so that Compose wraps it again
// for a reader whose name or address makes one of its lines too long. An
// address is one word, never broken: it may stand alone on a line longer
// than the width. The marks are empty
// fallbacks, which Choose, Fill, Compose and the preheader read as
// nothing, and which no body's fields make: a fallback's IfName is
// followed by the text of its side for readers with a name, never empty
// (the name, with the words around it a reader without one does not
// read), and a fallback with no text is IfName Name ElseName EndName.
//
// Such a side may hold a space, and so run from one line of a paragraph
// to the next where the paragraph was wrapped at it: a reader who skips
// that side does not read the line break either, and reads the two lines
// as one, which is wrapped again when it is too long. A side may also read
// longer than the paragraph was measured ("your" for a possessive name),
// and its line is wrapped again too when that makes it too long.
//
// A block that only readers with a name read (one holding nothing but the
// name) stands in a fallback that runs across lines, whose ends may touch
// a marked paragraph: fallback markers may end the text before its
// LineMark on its first line, after its prefix, which is then written as
// it stands, and may follow its ParagraphEnd before the line break, which
// is then written after them.

// LineMark starts each line of a paragraph that may be wrapped again:
// its first, after its prefix, and each after a hard line break, after
// the indent.
func (m Markers) LineMark() string { return m.Of(IfName) + m.Of(EndName) }

// ParagraphEnd ends the last line of a paragraph that may be wrapped
// again.
func (m Markers) ParagraphEnd() string { return m.Of(IfName) + m.Of(ElseName) + m.Of(EndName) }

// ParagraphIndent is the indent of the lines after the first of a
// paragraph whose first line starts with first: the list bullets of
// first ("- ", "1. ") as spaces, its quote marks ("> ") kept. ok is false
// when first is not made of those and spaces only.
func ParagraphIndent(first string) (indent string, ok bool) {
	var b strings.Builder
	for s := first; s != ""; {
		digits := len(s) - len(strings.TrimLeft(s, "0123456789"))
		switch {
		case strings.HasPrefix(s, "> "):
			b.WriteString("> ")
			s = s[2:]
		case strings.HasPrefix(s, "- "):
			b.WriteString("  ")
			s = s[2:]
		case digits > 0 && strings.HasPrefix(s[digits:], ". "):
			b.WriteString(strings.Repeat(" ", digits+2))
			s = s[digits+2:]
		case s[0] == ' ':
			b.WriteByte(' ')
			s = s[1:]
		default:
			return "", false
		}
	}
	return b.String(), true
}

// A textWrap is a marked paragraph of a text part, as Compose wraps it
// again for a reader.
type textWrap struct {
	first, indent string // the prefixes of its first line and of the others
	width         int    // the columns of a line after its prefix
	// sides are the paragraph as a reader without a name (0) and one with
	// a name (1) read it: the sides of its fallbacks differ.
	sides  [2]wrapSide
	pieces int // the pieces of the body it is
	// open says its last line break is not its own: fallback markers
	// stand before it, in the text after the paragraph.
	open bool
}

// A wrapSide is a marked paragraph as one side of its fallbacks reads.
type wrapSide struct {
	lines []wrapLine
	hard  []string // the text of each hard line, with markers
}

// A wrapLine is a line of a paragraph as it was wrapped: its columns
// without the fields, and how many names and addresses it holds. joined
// says it is lines as wrapped read as one: the line breaks between them
// were in the side of a fallback this side skips; grown, that this side
// reads more columns than the side of readers with a name, which the
// paragraph was wrapped for.
type wrapLine struct {
	cols, names, emails int
	joined, grown       bool
}

// side is the side of w that p reads.
func (w *textWrap) side(p Personal) *wrapSide {
	if p.Name != "" {
		return &w.sides[1]
	}
	return &w.sides[0]
}

// newTextWrap reads a marked paragraph: lines, as rendered, the first
// starting with its prefix, the last without its ParagraphEnd. When
// written is set, the first line's prefix stands before the paragraph
// (see textSegments): written is that prefix, its fallbacks' markers in
// it, and lines[0] starts with the LineMark. ok is false when they are not
// as markdownText writes them.
func newTextWrap(m Markers, lines []string, written string) (*textWrap, bool) {
	mark := m.LineMark()
	first, rest, found := strings.Cut(lines[0], mark)
	prefix := first
	if written != "" {
		prefix = m.Choose(written, true)
		found = found && first == ""
	}
	indent, ok := ParagraphIndent(prefix)
	if !found || !ok {
		return nil, false
	}
	w := &textWrap{first: first, indent: indent, width: max(TextWidth-utf8.RuneCountInString(indent), 20)}
	var skip [2]bool // each side ends the line before inside a side it skips
	for i, l := range lines {
		content, newLine := rest, true
		if i > 0 {
			if content, ok = strings.CutPrefix(l, indent); !ok {
				return nil, false
			}
			content, newLine = strings.CutPrefix(content, mark)
		}
		if content == "" || strings.Contains(content, mark) {
			return nil, false
		}
		var text [2]string
		var joined [2]bool
		for i := range w.sides {
			joined[i] = skip[i] && !newLine
			text[i], skip[i] = m.choose(content, i == 1, skip[i])
		}
		named, nameless := measureLine(m, text[1]), measureLine(m, text[0])
		nameless.grown = nameless.cols > named.cols
		w.sides[0].add(nameless, text[0], newLine, joined[0])
		w.sides[1].add(named, text[1], newLine, joined[1])
	}
	return w, true
}

// add adds a line of the paragraph, l as measured, its fallbacks' side
// chosen, that starts a hard line when newLine, or goes on the line
// before with no space between when joined.
func (s *wrapSide) add(l wrapLine, line string, newLine, joined bool) {
	switch {
	case joined:
		last := &s.lines[len(s.lines)-1]
		last.cols, last.names, last.emails, last.joined = last.cols+l.cols, last.names+l.names, last.emails+l.emails, true
		last.grown = last.grown || l.grown
		s.hard[len(s.hard)-1] += line
	case newLine:
		s.lines = append(s.lines, l)
		s.hard = append(s.hard, line)
	default:
		s.lines = append(s.lines, l)
		s.hard[len(s.hard)-1] += " " + line
	}
}

// measureLine measures a line of text, its fallbacks' side chosen.
func measureLine(m Markers, s string) wrapLine {
	var l wrapLine
	for s != "" {
		at, f := m.nextMarker(s)
		l.cols += utf8.RuneCountInString(s[:at])
		switch f {
		case -1:
			return l
		case Name:
			l.names++
		case Email:
			l.emails++
		}
		s = s[at+len(m.Of(f)):]
	}
	return l
}

// overflows says a line holding p's name or address, lines p reads as
// one, or a line p reads longer than it was measured, is too long with
// them in. The other fields are tokens in URLs, measured as nothing when
// the paragraph was wrapped: a line is not wrapped again for them.
func (w *textWrap) overflows(p Personal) bool {
	name, email := utf8.RuneCountInString(shownName(p.Name)), utf8.RuneCountInString(p.Email)
	for _, l := range w.side(p).lines {
		if (l.names > 0 || l.emails > 0 || l.joined || l.grown) && l.cols+l.names*name+l.emails*email > w.width {
			return true
		}
	}
	return false
}

// appendTo appends the paragraph wrapped for p, quoted-printable encoded.
// A word longer than a line, a URL or an address most often, keeps a line
// of its own; a name may be broken at its spaces, an address has none.
func (w *textWrap) appendTo(dst []byte, p Personal, m Markers) []byte {
	var b []byte
	prefix := w.first
	for _, h := range w.side(p).hard {
		b = append(b, prefix...)
		col := 0
		for word := range strings.SplitSeq(fillText(m, h, p), " ") {
			if word == "" {
				continue
			}
			n := utf8.RuneCountInString(word)
			if col > 0 && col+1+n > w.width {
				b = append(b, '\n')
				b = append(b, w.indent...)
				col = 0
			} else if col > 0 {
				b = append(b, ' ')
				col++
			}
			b = append(b, word...)
			col += n
		}
		b = append(bytes.TrimRight(b, " "), '\n') // a line of a prefix only
		prefix = w.indent
	}
	if w.open {
		b = b[:len(b)-1]
	}
	return append(dst, qpEncode(string(b))...)
}

// fillText puts p's values in place of the markers of s, a text part's.
func fillText(m Markers, s string, p Personal) string {
	var b strings.Builder
	for s != "" {
		at, f := m.nextMarker(s)
		b.WriteString(s[:at])
		if f < 0 {
			break
		}
		b.WriteString(value(f, p))
		s = s[at+len(m.Of(f)):]
	}
	return b.String()
}

// A textSegment is a run of a text part: a marked paragraph (wrap set) or
// the text between them, its marks taken out.
type textSegment struct {
	text string
	wrap *textWrap
}

// textSegments cuts a decoded text part at its marked paragraphs, each
// from the start of its first line to the end of its last. A paragraph
// whose first line holds fallback markers before its mark starts at the
// mark, its prefix written before it; one whose last line holds them
// after its end mark ends at that mark, its line break written after
// them. A mark out of place is taken out, its paragraph left as it was
// wrapped.
func textSegments(m Markers, s string) []textSegment {
	mark, end := m.LineMark(), m.ParagraphEnd()
	var out []textSegment
	for {
		i := strings.Index(s, mark)
		if i < 0 {
			return append(out, textSegment{text: unmark(m, s)})
		}
		start := strings.LastIndexByte(s[:i], '\n') + 1
		written := ""
		if m.fallbackMarkers(s[start:i]) {
			written, start = s[start:i], i
		}
		j := strings.Index(s[i:], end)
		if j < 0 {
			return append(out, textSegment{text: unmark(m, s)})
		}
		j += i
		stop := j + len(end)
		tail := stop + m.markerRun(s[stop:])
		open := false
		switch {
		case tail > stop && (strings.HasPrefix(s[tail:], "\n") || strings.HasPrefix(s[tail:], "\r\n")):
			open = true
		case strings.HasPrefix(s[stop:], "\r\n"):
			stop += 2
		case strings.HasPrefix(s[stop:], "\n"):
			stop++
		}
		lines := strings.Split(strings.ReplaceAll(s[start:j], "\r\n", "\n"), "\n")
		w, ok := newTextWrap(m, lines, written)
		if !ok || (!open && stop != len(s) && s[stop-1] != '\n') || written != "" && !strings.HasSuffix(written, m.Of(EndName)) {
			out = append(out, textSegment{text: unmark(m, s[:stop])})
		} else {
			w.open = open
			out = append(out, textSegment{text: unmark(m, s[:start])}, textSegment{text: unmark(m, s[start:stop]), wrap: w})
		}
		s = s[stop:]
	}
}

// fallbackMarkers says s holds a fallback's marker.
func (m Markers) fallbackMarkers(s string) bool {
	return strings.Contains(s, "BLTN") &&
		(strings.Contains(s, m.Of(IfName)) || strings.Contains(s, m.Of(ElseName)) || strings.Contains(s, m.Of(EndName)))
}

// markerRun is the length of the fallback markers s starts with.
func (m Markers) markerRun(s string) int {
	n := 0
	for {
		switch {
		case strings.HasPrefix(s[n:], m.Of(IfName)), strings.HasPrefix(s[n:], m.Of(ElseName)), strings.HasPrefix(s[n:], m.Of(EndName)):
			n += len(m.Of(IfName))
		default:
			return n
		}
	}
}

// unmark takes the marks of paragraphs out of s.
func unmark(m Markers, s string) string {
	if !strings.Contains(s, m.LineMark()) && !strings.Contains(s, m.ParagraphEnd()) {
		return s
	}
	return strings.NewReplacer(m.ParagraphEnd(), "", m.LineMark(), "").Replace(s)
}
