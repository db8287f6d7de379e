package articles

import (
	"bytes"
	"encoding/xml"
	"html"
	"io"
	"net/url"
	"strings"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/rss"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
)

// textKind says how a feed writes one of an item's texts: gofeed hands
// every text over as a string, and whether "<T>" in it is a tag or two
// angle brackets depends on the feed's format and the element's type.
type textKind int

const (
	// textGuess is text that is plain by its spec but often carries HTML
	// in practice (an RSS title), or whose type could not be read: its
	// tags are dropped only when it holds a real HTML element.
	textGuess textKind = iota
	// textPlain is text as written (an Atom type="text" construct).
	textPlain
	// textHTML is markup (an RSS description, an Atom type="html" or
	// "xhtml" construct).
	textHTML
)

// itemSource is what gofeed's universal item loses of the feed item it
// came from: how its title, summary and content are written, and, for an
// RSS item, its guid when that is a permalink usable as its link.
type itemSource struct {
	title, summary, content textKind
	permalink               string
}

// itemSources gives the source of each of parsed's items, in order. body
// is the feed document parsed was read from; parsed must have been parsed
// with KeepOriginalFeed, for the RSS guids.
func itemSources(parsed *gofeed.Feed, body []byte) []itemSource {
	srcs := make([]itemSource, len(parsed.Items))
	switch parsed.FeedType {
	case "atom":
		// An Atom text construct says in its type attribute whether it is
		// text or markup, but gofeed keeps the type of an entry's content
		// only, so the attributes are read from the document again. When
		// that reading does not match gofeed's entries one for one, the
		// texts are guessed rather than given the wrong entry's types.
		types, ok := atomTextTypes(body)
		if !ok || len(types) != len(srcs) {
			break
		}
		for i, t := range types {
			srcs[i] = itemSource{title: atomKind(t.title), summary: atomKind(t.summary), content: atomKind(t.content)}
		}
	default:
		// RSS (and JSON Feed) descriptions and contents are HTML; a title
		// is plain text by the spec but is often escaped HTML in practice.
		var items []*rss.Item
		if rf, ok := parsed.OriginalFeed().(*rss.Feed); ok && len(rf.Items) == len(srcs) {
			items = rf.Items
		}
		for i := range srcs {
			srcs[i] = itemSource{title: textGuess, summary: textHTML, content: textHTML}
			if items != nil {
				srcs[i].permalink = rssPermalink(items[i])
			}
		}
	}
	return srcs
}

// rssPermalink is an RSS item's guid when it is the item's permalink: RSS
// 2.0 makes a guid one unless isPermaLink is "false" (gofeed fills in the
// default "true"). As feeds often omit isPermaLink on guids that are
// only identifiers ("12345", "/posts/12"), only an absolute http or https
// URL is taken; a relative one is not read against the feed's URL.
func rssPermalink(it *rss.Item) string {
	if it == nil || it.GUID == nil || !strings.EqualFold(strings.TrimSpace(it.GUID.IsPermalink), "true") {
		return ""
	}
	guid := strings.TrimSpace(it.GUID.Value)
	u, err := url.Parse(guid)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return guid
}

// atomTypes holds the type attributes of an Atom entry's title, summary
// and content.
type atomTypes struct {
	title, summary, content string
}

// atomKind is the kind of an Atom text construct or content of type t:
// "html", "xhtml" and HTML media types (Atom 0.3's "text/html") are
// markup; no type is "text" (RFC 4287 §3.1.1), and every other type
// gofeed hands over as text.
func atomKind(t string) textKind {
	if strings.Contains(strings.ToLower(t), "html") {
		return textHTML
	}
	return textPlain
}

// atomTextTypes reads the type attributes of the title, summary and
// content of each entry of the Atom document body, in document order. It
// reads the document as gofeed does (not strictly, converting declared
// charsets, dropping control characters), and takes the elements gofeed
// takes: the feed's entry children and their own title, summary and
// content children, in the Atom namespaces or in none. ok is false when
// the document does not read to its end as an Atom feed.
func atomTextTypes(body []byte) (types []atomTypes, ok bool) {
	// gofeed drops the control bytes XML forbids before parsing, byte by
	// byte whatever the charset; so does this reading, or a feed gofeed
	// reads would not read here.
	clean := make([]byte, 0, len(body))
	for _, b := range body {
		if b >= 0x20 || b == '\t' || b == '\n' || b == '\r' {
			clean = append(clean, b)
		}
	}
	d := xml.NewDecoder(bytes.NewReader(clean))
	d.Strict = false
	d.CharsetReader = charset.NewReaderLabel
	depth, entry := 0, -1
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return types, depth == 0
		}
		if err != nil {
			return nil, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			name := strings.ToLower(t.Name.Local)
			switch {
			case depth == 1 && name != "feed":
				return nil, false
			case depth == 2 && name == "entry" && atomNamespace(t.Name.Space):
				types = append(types, atomTypes{})
				entry = len(types) - 1
			case depth == 3 && entry >= 0 && atomNamespace(t.Name.Space):
				switch name {
				case "title":
					types[entry].title = attr(t, "type")
				case "summary":
					types[entry].summary = attr(t, "type")
				case "content":
					types[entry].content = attr(t, "type")
				}
			}
		case xml.EndElement:
			if depth == 2 {
				entry = -1
			}
			depth--
		}
	}
}

// atomNamespace reports whether space is one gofeed reads as Atom's own,
// not an extension's: Atom 1.0, Atom 0.3, or none.
func atomNamespace(space string) bool {
	switch strings.TrimSpace(space) {
	case "", "http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#":
		return true
	}
	return false
}

// attr is the value of e's attribute name, preferring one without a
// namespace, as gofeed does.
func attr(e xml.StartElement, name string) string {
	var v string
	for _, a := range e.Attr {
		if a.Name.Local != name {
			continue
		}
		if a.Name.Space == "" {
			return a.Value
		}
		v = a.Value
	}
	return v
}

// feedText is one of a feed item's texts on one line, written as kind
// says. Only markup goes through the tag stripper, as text like "Vec<T>"
// would lose what looks like a tag; entities are decoded either way, as
// feeds often escape their text twice.
func feedText(s string, kind textKind) string {
	if kind == textHTML || (kind == textGuess && holdsHTML(s)) {
		return plain(s)
	}
	return strings.Join(strings.Fields(html.UnescapeString(s)), " ")
}

// htmlElements are the HTML elements whose tags mark a feed's text as
// markup when it is not said to be: those a title or summary is written
// with. Names that are common in text between angle brackets too
// ("List<Object>", "<T>") count only with their end tag.
var htmlElements = map[atom.Atom]bool{
	atom.A: true, atom.Abbr: true, atom.B: true, atom.Big: true, atom.Blockquote: true,
	atom.Cite: true, atom.Code: true, atom.Del: true, atom.Dfn: true, atom.Div: true,
	atom.Em: true, atom.Font: true, atom.H1: true, atom.H2: true, atom.H3: true,
	atom.H4: true, atom.H5: true, atom.H6: true, atom.I: true, atom.Ins: true,
	atom.Kbd: true, atom.Li: true, atom.Mark: true, atom.Ol: true, atom.P: true,
	atom.Q: true, atom.S: true, atom.Samp: true, atom.Script: true, atom.Small: true,
	atom.Span: true, atom.Strike: true, atom.Strong: true, atom.Style: true, atom.Sub: true,
	atom.Sup: true, atom.Time: true, atom.Tt: true, atom.U: true, atom.Ul: true,
	atom.Var: true,
}

// voidElements are the HTML elements without end tags that a feed's text
// holds: one of them alone marks it as markup.
var voidElements = map[atom.Atom]bool{atom.Br: true, atom.Hr: true, atom.Img: true, atom.Wbr: true}

// holdsHTML reports whether s holds a real HTML element: a known element
// with both its start and end tags, or a known void element. "Vec<T>" and
// "Option<b>" do not; "<b>Bold</b> news" does.
func holdsHTML(s string) bool {
	if !strings.Contains(s, "<") {
		return false
	}
	opened := map[atom.Atom]bool{}
	z := xhtml.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return false
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if voidElements[a] {
				return true
			}
			if htmlElements[a] {
				opened[a] = true
			}
		case xhtml.EndTagToken:
			name, _ := z.TagName()
			if a := atom.Lookup(name); htmlElements[a] && opened[a] {
				return true
			}
		}
	}
}

// textTag reports whether z's tag (a start, end or self-closing tag just
// read) is text that only looks like a tag, as a type's parameters do:
// "<T>", "<String>", "<K, V>", "</T>". Its name is no HTML element's
// (specElements), it is not a custom element's (a hyphen: "<my-card>") or
// another vocabulary's tag (a prefix: Word's "<o:p>"), and it has no
// attribute value and no event handler or style, which only markup has:
// "<x onclick=…>" is still a tag, dropped. A name the tokenizer reads
// with more than letters in it ("<Option<T>>" is the tag "option<t")
// is text too. raw is the tag as written, name its name as z's TagName
// gave it, hasAttr whether it has attributes, which are read from z.
func textTag(z *xhtml.Tokenizer, raw, name string, hasAttr bool) bool {
	if strings.Contains(raw, "=") || specElements[name] || strings.Contains(name, "-") {
		return false
	}
	if i := strings.IndexByte(name, ':'); i >= 0 && i+1 < len(name) && isASCIILetter(name[i+1]) {
		return false
	}
	for more := hasAttr; more; {
		var key []byte
		key, _, more = z.TagAttr()
		if k := string(key); strings.HasPrefix(k, "on") || k == "style" {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// specElements are the names of the HTML elements: the WHATWG HTML
// standard's index of elements, its obsolete and non-conforming ones
// (which pages still hold, and browsers still read as tags), and the
// SVG and MathML roots. A tag with another name is text in an article's
// or a feed's text (textTag).
var specElements = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`a abbr address area article aside audio b base bdi bdo blockquote body br
		button canvas caption cite code col colgroup data datalist dd del details dfn dialog div dl dt em
		embed fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe
		img input ins kbd label legend li link main map mark math menu meta meter nav noscript object ol
		optgroup option output p param picture pre progress q rp rt ruby s samp script search section select
		slot small source span strong style sub summary sup svg table tbody td template textarea tfoot th
		thead time title tr track u ul var video wbr
		acronym applet basefont bgsound big blink center dir font frame frameset image isindex keygen
		listing marquee menuitem multicol nextid nobr noembed noframes plaintext rb rtc spacer strike tt xmp`) {
		specElements[n] = true
	}
}
