package campaigns

import (
	"bufio"
	"bytes"
	"html"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	ghtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"

	"github.com/bulletinhq/bulletin/mailer"
)

// textWidth is where the text part wraps its prose.
const textWidth = mailer.TextWidth

// markdownText renders a Markdown body as a mail's text part, to be read
// on its own: prose wrapped at textWidth columns without the Markdown
// marks, its backslash escapes and entities resolved as the HTML part
// resolves them, a link as its text with the URL after it in brackets,
// headings of levels 1 and 2 underlined and deeper ones behind their
// "#"s, struck-out text between "~~", lists with "-" or their numbers,
// quotes behind "> ", code as written and indented. Raw HTML is left
// out, as the HTML part's sanitiser leaves it out too.
//
// A fallback's text stands in src as one of fb's placeholders, and is
// measured as its text: it is what a reader without a name reads. A bare
// name is put in a fallback of its own (bareNames), measured as the text
// a reader with a name reads, as it was before it had one.
func markdownText(src []byte, mk mailer.Markers, fb *fallbacks) string {
	if fb == nil {
		fb = &fallbacks{nonce: string(mailer.NewMarkers())}
	}
	doc := markdown.Parser().Parse(text.NewReader(src))
	w := textWriter{src: src, mk: mk, measure: fb.measure(markerFreeWidth(mk)), fb: fb}
	w.names = &bareNames{mk: mk, capital: fb.capital}
	w.names.open, w.names.close = fb.linkMarks()
	w.named = bytes.Contains(src, []byte(mk.Of(mailer.Name)))
	w.blocks(doc, "", "")
	return strings.TrimRight(w.b.String(), "\n") + "\n"
}

// A textWriter writes blocks of a Markdown document as plain text.
type textWriter struct {
	src []byte
	mk  mailer.Markers // the personal fields in URLs become URL data
	b   strings.Builder

	measure func(string) int // a word's columns, its markers left out

	// names puts the bare names of the text in fallbacks; nil where the
	// text can hold no name (plainText). fb holds the render's fallback
	// texts and capitals.
	names *bareNames
	fb    *fallbacks
	named bool // the text holds the name

	// lineStart and lineEnd are where the last line written starts and
	// ends (its line break) in b: a run of blocks readers without a name
	// do not read may end after it (closeRun).
	lineStart, lineEnd int
	// strayEnd says such a run ended on a heading's rule, a line the
	// preheader leaves out: the next line it reads repeats the end of the
	// run's fallback after its prefix, which ends nothing in the mail.
	strayEnd bool

	// prose leaves out what a line of prose has no room for: images, and
	// a link's URL after its text, which it marks instead, keeping the URL
	// in links (see excerptOf).
	prose bool
	links []string
}

// textFields are the fields whose markers a campaign's text part holds
// in its prose.
var textFields = []mailer.Field{mailer.Name, mailer.Email, mailer.NameURL, mailer.EmailURL,
	mailer.Unsubscribe, mailer.Preferences, mailer.IfName, mailer.ElseName, mailer.EndName}

// textMarkerAt says which of textFields s starts with the marker of.
func textMarkerAt(s string, mk mailer.Markers) (mailer.Field, bool) {
	if !strings.HasPrefix(s, "BLTN") {
		return 0, false
	}
	for _, f := range textFields {
		if strings.HasPrefix(s, mk.Of(f)) {
			return f, true
		}
	}
	return 0, false
}

// markerFreeWidth measures a word in columns without mk's markers, which
// stand for a value or for nothing: a line is wrapped by the text readers
// see, not by the markers' length.
func markerFreeWidth(mk mailer.Markers) func(string) int {
	var markers []string
	for _, f := range textFields {
		markers = append(markers, mk.Of(f), "")
	}
	strip := strings.NewReplacer(markers...)
	return func(w string) int {
		if !strings.Contains(w, "BLTN") {
			return utf8.RuneCountInString(w)
		}
		return utf8.RuneCountInString(strip.Replace(w))
	}
}

// blocks writes the children of n, each block's first line behind first
// and the rest behind indent, with a blank line between blocks. A run of
// blocks readers without a name do not read goes in a fallback (see
// nameRun).
func (w *textWriter) blocks(n ast.Node, first, indent string) {
	kids := children(n)
	gone := w.gone(kids)
	var run *nameRun
	wrote := false
	for i, c := range kids {
		lead := ""
		if gone != nil {
			switch {
			case gone[i] && run == nil:
				run, lead = w.startRun(kids, gone, i, wrote)
			case !gone[i] && run != nil && !leftOut(c):
				run, lead = nil, w.endRun(run)
			}
			w.names.off = gone[i]
		}
		before := w.b.Len()
		w.block(c, first+lead, indent)
		if gone != nil {
			w.names.off = false
		}
		if w.b.Len() == before {
			continue // a block left out
		}
		wrote = true
		first = indent
		if c.NextSibling() != nil && !tight(c) {
			w.b.WriteString(strings.TrimRight(indent, " ") + "\n")
		}
	}
	if run != nil {
		w.closeRun(run)
	}
}

// list writes the items of a list, "- " or their numbers before their
// first lines. A run of items readers without a name do not read goes in
// a fallback as blocks do (see nameRun).
func (w *textWriter) list(n *ast.List, first, indent string) {
	items := children(n)
	gone := w.gone(items)
	var run *nameRun
	num, left := n.Start, 0 // left: the items before left out
	for i, item := range items {
		lead, read := "", true // read: a reader without a name reads the bullet
		if gone != nil {
			switch {
			case gone[i] && run == nil:
				run, lead = w.startRun(items, gone, i, i > 0)
				read = run.pEnd < 0
			case gone[i]:
				read = false
			case run != nil:
				read = !run.after
				run, lead = nil, w.endRun(run)
			}
			w.names.off = gone[i]
		}
		bullet, shown := "- ", "- "
		if n.IsOrdered() {
			bullet = strconv.Itoa(num) + ". "
			shown = bullet
			if left > 0 && read {
				shown = w.mk.Of(mailer.IfName) + bullet + w.mk.Of(mailer.ElseName) + strconv.Itoa(num-left) + ". " + w.mk.Of(mailer.EndName)
			}
			num++
		}
		w.blocks(item, first+shown+lead, indent+strings.Repeat(" ", len(bullet)))
		if gone != nil {
			w.names.off = false
			if gone[i] {
				left++
			}
		}
		first = indent
		if i+1 < len(items) && !n.IsTight {
			w.b.WriteString(strings.TrimRight(indent, " ") + "\n")
		}
	}
	if run != nil {
		w.closeRun(run)
	}
}

// tight says a block is followed by its sibling with no blank line: the
// text of a tight list item.
func tight(n ast.Node) bool {
	_, ok := n.(*ast.TextBlock)
	return ok
}

func (w *textWriter) block(n ast.Node, first, indent string) {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		w.lines(w.paragraph(w.inline(n), textWidth-utf8.RuneCountInString(indent), first, indent), first, indent)
	case *ast.Heading:
		// Levels 1 and 2 are underlined, as Markdown's setext headings
		// are; the deeper ones, which setext has no form for, start with
		// their level's "#"s as Markdown's ATX headings do ("### Numbers"):
		// a plain-text reader knows both, and a deeper heading no longer
		// reads as a line of prose.
		mark := ""
		if n.Level > 2 {
			mark = strings.Repeat("#", n.Level) + " "
		}
		title, longest := w.wrapLine(oneLineText(w.inline(n)), textWidth-utf8.RuneCountInString(indent+mark))
		if mark != "" && len(title) > 0 {
			title[0] = mark + title[0]
		}
		w.lines(title, first, indent)
		if n.Level <= 2 {
			w.lines([]string{w.rule(longest, n.Level)}, indent, indent)
		}
	case *ast.List:
		w.list(n, first, indent)
	case *ast.Blockquote:
		w.blocks(n, first+"> ", indent+"> ")
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		var code []string
		lines := n.Lines()
		for i := range lines.Len() {
			seg := lines.At(i)
			code = append(code, "    "+strings.TrimRight(string(seg.Value(w.src)), "\r\n"))
		}
		w.lines(code, first, indent)
	case *ast.ThematicBreak:
		w.lines([]string{"----"}, first, indent)
	case *east.Table:
		var rows []string
		for row := n.FirstChild(); row != nil; row = row.NextSibling() {
			var cells []string
			for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
				cells = append(cells, w.names.wrap(oneLineText(w.inline(cell)), true))
			}
			rows = append(rows, strings.Join(cells, " | "))
		}
		w.lines(rows, first, indent)
	case *ast.HTMLBlock:
		// Left out, as in the HTML part.
	default:
		w.blocks(n, first, indent)
	}
}

// paragraph wraps the text s of a paragraph at width columns. Its lines
// are measured without the reader's name and address, which only the
// message knows: a paragraph holding either is marked for the mailer to
// wrap again for a reader whose name or address makes a line too long (mailer.Markers.LineMark),
// unless a line of it is empty or its prefixes are not those the mailer
// knows (mailer.ParagraphIndent). The bare names of a marked paragraph
// are put in their fallbacks before it is wrapped, so that a fallback
// holding the space before a name may run across the line break the
// wrap puts in that space: the mailer reads the lines as one for a
// reader who skips it.
func (w *textWriter) paragraph(s string, width int, first, indent string) []string {
	if strings.Contains(first, "BLTN") { // a fallback's markers (see nameRun)
		first = w.mk.Choose(first, true)
	}
	if in, ok := mailer.ParagraphIndent(first); !ok || in != indent || w.names != nil && w.names.off ||
		!strings.Contains(s, w.mk.Of(mailer.Name)) && !strings.Contains(s, w.mk.Of(mailer.Email)) {
		return w.wrapLines(s, width)
	}
	var out []string
	for _, line := range strings.Split(w.names.wrap(s, true), "\n") {
		wrapped := strings.Split(wrapMeasured(line, max(width, 20), w.measure), "\n")
		if wrapped[0] == "" {
			return w.wrapLines(s, width)
		}
		wrapped[0] = w.mk.LineMark() + wrapped[0]
		out = append(out, wrapped...)
	}
	out[len(out)-1] += w.mk.ParagraphEnd()
	return out
}

// rule is the line under a heading of level 1 or 2: one '=' or '-' for
// each character of title. A title holding markers (a personal field, a
// fallback whose text is put in after this render) is copied between
// rule markers instead, for the rule to be made from what each reader
// reads (mailer.Markers.Rules): counted here, the markers would give a
// rule over a hundred characters long.
func (w *textWriter) rule(title string, level int) string {
	open, mark := mailer.Rule, "="
	if level == 2 {
		open, mark = mailer.RuleDash, "-"
	}
	if !strings.Contains(title, "BLTN") {
		return strings.Repeat(mark, utf8.RuneCountInString(title))
	}
	return w.mk.Of(open) + title + w.mk.Of(mailer.EndRule)
}

// longest is the line of ls that measures the most columns, the first of
// them on a tie: a heading's rule is as long as it. A line may measure
// nothing and still hold the name, whose rule the mailer makes.
func (w *textWriter) longest(ls []string) string {
	if len(ls) == 0 {
		return ""
	}
	long := ls[0]
	for _, l := range ls[1:] {
		if w.measure(l) > w.measure(long) {
			long = l
		}
	}
	return long
}

// lines writes ls, the first behind first and the others behind indent.
func (w *textWriter) lines(ls []string, first, indent string) {
	for i, l := range ls {
		prefix := indent
		if i == 0 {
			prefix = first
		}
		if w.strayEnd && !w.preheaderSkips(prefix+l) {
			prefix, w.strayEnd = prefix+w.ending(), false
		}
		w.lineStart = w.b.Len()
		w.b.WriteString(strings.TrimRight(prefix+l, " ") + "\n")
		w.lineEnd = w.b.Len() - 1
	}
}

// inline returns the text of n's inline children, with "\n" where the
// source has a hard line break.
func (w *textWriter) inline(n ast.Node) string {
	var b strings.Builder
	w.inlines(&b, n)
	return b.String()
}

func (w *textWriter) inlines(b *strings.Builder, n ast.Node) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			if c.IsRaw() {
				b.Write(c.Value(w.src))
			} else {
				b.WriteString(resolved(c.Value(w.src)))
			}
			switch {
			case c.HardLineBreak():
				b.WriteByte('\n')
			case c.SoftLineBreak():
				b.WriteByte(' ')
			}
		case *ast.String:
			switch {
			case c.IsCode(): // HTML as it is: the typographer's entities
				b.WriteString(html.UnescapeString(string(c.Value)))
			case c.IsRaw():
				b.Write(c.Value)
			default:
				b.WriteString(resolved(c.Value))
			}
		case *ast.CodeSpan:
			w.codeSpan(b, c)
		case *ast.Link:
			label := w.inline(c)
			dest := string(c.Destination)
			shown := w.mk.InURL(dest)
			if addr, ok := mailtoAddress(dest); ok {
				shown = addr
			}
			if w.prose && dest != "" && safeURL(dest) {
				// The excerpt's link: its label between linkOpen and
				// linkClose, its URL kept for the excerpt (excerptOf).
				w.links = append(w.links, dest)
				b.WriteString(linkOpen + label + linkClose)
				break
			}
			if w.prose || dest == "" || dest == label || shown == label || !safeURL(dest) {
				b.WriteString(label)
				break
			}
			if w.names != nil && label == w.mk.Of(mailer.Name) {
				// The URL goes with the name, as the link does in HTML.
				b.WriteString(w.names.open + label + " (" + shown + ")" + w.names.close)
				break
			}
			b.WriteString(label + " (" + shown + ")")
		case *ast.Image:
			if w.prose {
				continue
			}
			alt := w.inline(c)
			if alt == "" {
				alt = "image"
			}
			b.WriteString("[" + alt + "]")
			if dest := string(c.Destination); safeURL(dest) {
				b.WriteString(" (" + w.mk.InURL(dest) + ")")
			}
		case *ast.AutoLink:
			// As written: an autolink knows no escapes nor entities.
			if u := string(c.URL(w.src)); !safeURL(u) {
				b.Write(c.Label(w.src))
			} else if addr, ok := mailtoAddress(u); ok {
				b.WriteString(addr)
			} else {
				b.WriteString(w.mk.InURL(u))
			}
		case *ast.RawHTML:
			// Left out, as in the HTML part.
		case *east.TaskCheckBox:
			if c.IsChecked {
				b.WriteString("[x] ")
			} else {
				b.WriteString("[ ] ")
			}
		case *east.Strikethrough:
			// Kept between its marks, as plain-text mail writes it: the
			// words of a correction struck out read as their opposite
			// without them.
			b.WriteString("~~")
			w.inlines(b, c)
			b.WriteString("~~")
		default: // emphasis: its text
			w.inlines(b, c)
		}
	}
}

// codeSpan writes the text of a code span as written, backslashes and
// ampersands included, its line ends as spaces, as the HTML part shows
// it.
func (w *textWriter) codeSpan(b *strings.Builder, n *ast.CodeSpan) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if t, ok := c.(*ast.Text); ok {
			v := t.Value(w.src)
			if v, ok := bytes.CutSuffix(v, []byte("\n")); ok {
				b.Write(v)
				b.WriteByte(' ')
				continue
			}
			b.Write(v)
		}
	}
}

// resolved is a Markdown text as the HTML part shows it, as characters:
// its backslash escapes and entity and numeric character references
// resolved (CommonMark §2.4, §2.5). goldmark's HTML writer resolves them
// in one pass, as the spec wants: `\&amp;` reads "&amp;", which resolving
// the escapes first and the entities after (goldmark's util functions in
// turn) would make "&". The HTML escaping it adds is taken off again.
func resolved(v []byte) string {
	if !bytes.ContainsAny(v, "\\&\x00") {
		return string(v)
	}
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	ghtml.DefaultWriter.Write(bw, v)
	bw.Flush()
	return html.UnescapeString(out.String())
}

// mailtoAddress is the address a mailto: URL writes to, as a text part
// shows it after a link's text: a reader copies an address into their
// mail program, where "mailto:" and a "?subject=" are in the way.
// mailto:desk@news.example?subject=Tips is desk@news.example, its
// percent-escapes decoded. ok is false for any other URL, and for a
// mailto: without an address.
func mailtoAddress(u string) (addr string, ok bool) {
	u = strings.TrimSpace(u)
	if len(u) < len("mailto:") || !strings.EqualFold(u[:len("mailto:")], "mailto:") {
		return "", false
	}
	addr, _, _ = strings.Cut(u[len("mailto:"):], "?")
	if a, err := url.PathUnescape(addr); err == nil {
		addr = a
	}
	return addr, addr != ""
}

// safeURL says the HTML part keeps a link to u, as the sanitiser does:
// an http, https or mailto URL, or a relative one. Any other scheme
// (javascript:, data:, vbscript:) is dropped there, so the text part
// leaves it out too.
func safeURL(u string) bool {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil {
		return false
	}
	switch strings.ToLower(p.Scheme) {
	case "", "http", "https", "mailto":
		return true
	}
	return false
}

// wrapLines wraps each line of s, as hard line breaks left it, at width
// columns (wrapLine).
func (w *textWriter) wrapLines(s string, width int) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		ls, _ := w.wrapLine(line, width)
		out = append(out, ls...)
	}
	return out
}
