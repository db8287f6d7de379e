package campaigns

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/mailer"
)

// A reader without a name reads a bare {{ .Name }} as nothing: left at
// that, "Dear {{ .Name }}," would read "Dear ," and "Hi **{{ .Name }}**,"
// would keep an empty <strong></strong>. So Render puts each bare name of
// the body's text in a fallback of its own: its side for readers with a
// name is the text as written, and its side for readers without one is
// that text as it reads without the name (dropSpan), which the archive
// reads too. Each message keeps the reader's side, as it does of the
// fallbacks the editor writes.
//
// A possessive name, "{{ .Name }}'s picks" (or ’s), reads "your picks",
// "Your" where it starts a sentence; an element holding only bare names
// that readers without a name do not read (a paragraph, a heading, a list
// item, and then a list or a quote holding only such) goes for them whole,
// in both parts (dropElements, textWriter.blocks).
//
// A name with the editor's fallback is left as it is, and so is one in a
// code block, which shows text as written, and one in an attribute's
// value (an image's alt text, a link's title), which is empty then. A
// name in a link's URL is not this field but its URL form
// (mailer.Markers.InURLs). The subject and the preheader hold no name (a
// campaign's are refused with one), and the headers none but the To
// address's, which the mailer writes without a name for such a reader.

// nameHolders are the elements that, holding only the name, go with it:
// left empty they would keep the space before them ("Hi <strong></strong>,")
// or make a link no one can see.
var nameHolders = map[string]bool{"strong": true, "em": true, "b": true, "i": true, "u": true, "s": true,
	"del": true, "code": true, "a": true, "span": true, "mark": true}

// lineStarts are the elements of sanitised HTML a name starts a line in
// when it comes right after their start tag: a paragraph, an item, a
// cell, a heading, and a line break.
var lineStarts = map[string]bool{"p": true, "li": true, "td": true, "th": true, "dd": true, "dt": true, "br": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true}

// namePunct is the punctuation that, after a name, takes the space before
// the name with it ("Hi {{ .Name }}!" reads "Hi!").
const namePunct = ".,!?;:…"

// dropSpan says what a reader without a name does not read around the
// bare name s[a:b] (the name, or the element that holds only it):
// s[start:end], read as repl instead. Nothing before lo is taken, and
// space is the bytes that read as white space.
//   - At the start of a line or of a sentence (atStart, see
//     bareNames.starts): the name, a comma, colon or semicolon after it
//     and the spaces after those. A small letter that then starts the
//     line or the sentence becomes a capital: "{{ .Name }}, welcome"
//     reads "Welcome", and "Thanks. {{ .Name }}, welcome" reads
//     "Thanks. Welcome".
//   - Before punctuation: the spaces before the name and a comma before
//     them: "Thanks, {{ .Name }}." reads "Thanks.", "Dear {{ .Name }},"
//     reads "Dear,".
//   - Elsewhere: the spaces before the name: "Hi {{ .Name }} and all"
//     reads "Hi and all".
func dropSpan(s string, lo, a, b int, atStart bool, space string) (start, end int, repl string) {
	if atStart {
		end = b
		if end < len(s) && strings.IndexByte(",:;", s[end]) >= 0 {
			end++
		}
		for end < len(s) && strings.IndexByte(space, s[end]) >= 0 {
			end++
		}
		if r, n := utf8.DecodeRuneInString(s[end:]); unicode.IsLower(r) {
			return a, end + n, string(unicode.ToUpper(r))
		}
		return a, end, ""
	}
	start = a
	for start > lo && strings.IndexByte(space, s[start-1]) >= 0 {
		start--
	}
	if r, _ := utf8.DecodeRuneInString(s[b:]); start < a && start > lo && s[start-1] == ',' && strings.ContainsRune(namePunct, r) {
		start--
	}
	return start, b, ""
}

// bareNames puts the bare names of a part's text in fallbacks of their
// own (see dropSpan), for one render's markers.
type bareNames struct {
	mk   mailer.Markers
	html bool // sanitised HTML, or a text part's text
	// open and close stand around a link holding only the name in a text
	// part, "name (URL)", which goes with the name as the link does in
	// HTML; capital writes the text a reader without a name reads instead
	// of the name (a capital letter a line then starts with, "your").
	open, close string
	capital     func(string) string
	// off leaves the names as they are, the link marks taken out: for a
	// text part's block that only readers with a name read.
	off bool
}

// A nameSpan is a bare name's fallback in s: s[start:end] is its side
// for readers with a name, repl its side for readers without one.
type nameSpan struct {
	start, end int
	repl       string
}

// wrap returns s with each bare name in a fallback. s is the whole HTML
// part, or a text part's paragraph or line, whose start is the start of
// a line when first. Of a text part it takes out the link marks too.
func (n *bareNames) wrap(s string, first bool) string {
	if n == nil {
		return s
	}
	if n.off || !strings.Contains(s, n.mk.Of(mailer.Name)) {
		return n.unmark(s)
	}
	var b strings.Builder
	lo := 0 // s[:lo] is written
	for _, sp := range n.spans(s, first) {
		repl := sp.repl
		if repl != "" && n.capital != nil {
			repl = n.capital(n.unmark(repl))
		}
		b.WriteString(s[lo:sp.start])
		b.WriteString(n.mk.Of(mailer.IfName))
		b.WriteString(s[sp.start:sp.end])
		b.WriteString(n.mk.Of(mailer.ElseName))
		b.WriteString(repl)
		b.WriteString(n.mk.Of(mailer.EndName))
		lo = sp.end
	}
	b.WriteString(s[lo:])
	return n.unmark(b.String())
}

// only says s, a text part's block, holds nothing but bare names that
// readers without a name do not read, and punctuation or spaces they
// take along: the block goes for them, as dropElements takes its element
// out of the HTML part.
func (n *bareNames) only(s string) bool {
	if n == nil || n.off || !strings.Contains(s, n.mk.Of(mailer.Name)) {
		return false
	}
	at := 0
	for _, sp := range n.spans(s, true) {
		if sp.start != at || sp.repl != "" {
			return false
		}
		at = sp.end
	}
	return at == len(s)
}

// spans finds the fallbacks of the bare names of s (see wrap).
func (n *bareNames) spans(s string, first bool) []nameSpan {
	name, ifName := n.mk.Of(mailer.Name), n.mk.Of(mailer.IfName)
	space := " \t"
	if n.html {
		space = " \t\n"
	}
	var out []nameSpan
	var where htmlPlace
	lo := 0 // s[:lo] is in a fallback or before one
	for at := 0; ; {
		i := strings.Index(s[at:], name)
		if i < 0 {
			return out
		}
		start, end := at+i, at+i+len(name)
		at = end
		if n.html {
			where.advance(s, start)
		}
		if strings.HasSuffix(s[:start], ifName) || where.inTag || where.inPre {
			continue // the editor's fallback, an attribute's value, or code
		}
		a, b := n.holder(s, lo, start, end)
		var sp nameSpan
		if k := possessive(s[b:]); k > 0 {
			your := "your"
			if n.sentenceStart(s, a, first) {
				your = "Your"
			}
			sp = nameSpan{a, b + k, s[a:start] + your + s[end:b]}
		} else {
			sp.start, sp.end, sp.repl = dropSpan(s, lo, a, b, n.starts(s, a, b, first, space), space)
		}
		out = append(out, sp)
		lo, at = sp.end, sp.end
	}
}

// unmark takes the link marks out of a text part's s.
func (n *bareNames) unmark(s string) string {
	if n.html || !strings.Contains(s, n.open) && !strings.Contains(s, n.close) {
		return s
	}
	return strings.NewReplacer(n.open, "", n.close, "").Replace(s)
}

// holder widens the name at s[a:b] to the elements that hold only it,
// and in a text part to a link holding only it, marked by n.open and
// n.close; it takes nothing before lo.
func (n *bareNames) holder(s string, lo, a, b int) (int, int) {
	if !n.html {
		if a-len(n.open) >= lo && strings.HasSuffix(s[:a], n.open) {
			a -= len(n.open)
			if i := strings.Index(s[b:], n.close); i >= 0 {
				b += i + len(n.close)
			}
		}
		return a, b
	}
	for a > lo && s[a-1] == '>' {
		i := strings.LastIndexByte(s[lo:a], '<')
		if i < 0 {
			break
		}
		tag := tagName(s[lo+i : a])
		if !nameHolders[tag] || !strings.HasPrefix(s[b:], "</"+tag+">") {
			break
		}
		a, b = lo+i, b+len(tag)+3
	}
	return a, b
}

// atStart says the name at s[a:] starts a line: of a text part's text
// when it starts s (and s starts one) or follows a hard line break, of
// HTML when it follows a start tag of lineStarts, or a line break.
func (n *bareNames) atStart(s string, a int, first bool) bool {
	if a == 0 {
		return first
	}
	if !n.html {
		return s[a-1] == '\n'
	}
	end := a
	if s[end-1] == '\n' {
		end-- // only after a <br>: Markdown's soft line break is a space
	}
	if end == 0 || s[end-1] != '>' {
		return false
	}
	i := strings.LastIndexByte(s[:end], '<')
	if i < 0 {
		return false
	}
	tag := tagName(s[i:end])
	return tag == "br" || end == a && lineStarts[tag]
}

// starts says the name at s[a:b] (or the element holding it) is left
// out as at the start of a line (dropSpan): it starts a line, or it
// starts a sentence and a comma, colon, semicolon or space follows it. A
// name that ends a sentence after another ("Thanks. {{ .Name }}!") is
// left out with the space before it.
func (n *bareNames) starts(s string, a, b int, first bool, space string) bool {
	if n.atStart(s, a, first) {
		return true
	}
	return b < len(s) && strings.IndexByte(",:;"+space, s[b]) >= 0 && n.sentenceStart(s, a, first)
}

// tagName is the name of the HTML tag t, "<name …>", in lower case; a
// closing tag's starts with "/".
func tagName(t string) string {
	t = strings.TrimPrefix(t, "<")
	if i := strings.IndexAny(t, " \t\n/>"); i > 0 {
		t = t[:i]
	} else if i == 0 && t[0] == '/' {
		return "/"
	}
	return strings.ToLower(t)
}

// An htmlPlace says where a place in sanitised HTML is, read from its
// start once: inside a tag (in an attribute's value: the sanitiser
// escapes "<" and ">" in text and in values), inside a <pre>.
type htmlPlace struct {
	at           int // s[:at] is read
	inTag, inPre bool
}

// advance reads s up to i.
func (p *htmlPlace) advance(s string, i int) {
	for p.at < i {
		j := strings.IndexAny(s[p.at:i], "<>")
		if j < 0 {
			break
		}
		j += p.at
		if s[j] == '>' {
			p.inTag = false
		} else {
			p.inTag = true
			switch t := tagName(s[j:]); t {
			case "pre":
				p.inPre = true
			case "/":
				if strings.HasPrefix(s[j:], "</pre>") {
					p.inPre = false
				}
			}
		}
		p.at = j + 1
	}
	p.at = max(p.at, i)
}
