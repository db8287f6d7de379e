package campaigns

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	stdhtml "html"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/util"

	"github.com/bulletinhq/bulletin/internal/prose"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

// personalField matches a {{ .Name }}-style personal field in a body.
var personalField = regexp.MustCompile(`\{\{\s*\.?\s*([A-Za-z]*)\s*\}\}`)

// personalFields maps each personal field an author may write to the
// mailer's field.
var personalFields = map[string]mailer.Field{
	"Name":  mailer.Name,
	"Email": mailer.Email,
}

var (
	markdown = goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Typographer),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(htmlImages{}, 900), util.Prioritized(elementDropper{}, 1000))))
	sanitizer = func() *bluemonday.Policy {
		p := bluemonday.UGCPolicy()
		// UGCPolicy keeps an image's alt and title only when they are
		// letters, digits and a little punctuation: "Photo: the quay at
		// dawn" or "Fish & chips" lost theirs, and with it what a reader
		// with images off, or with a screen reader, is told. A value is
		// escaped on the way out whatever it holds.
		p.AllowAttrs("alt", "title").OnElements("img")
		return p
	}()
)

// checkFields refuses a body whose {{ … }} are not all personal fields
// (parseFields), that has a fallback in a URL, or whose links or images
// are not full URLs (checkLinks), so a mistake shows when the campaign is
// saved rather than in every reader's mail.
func checkFields(body string) error { return errors.Join(renderFaults(body)...) }

// renderFaults is checkFields' refusal: Render's error alone, as a body
// that does not render has no links to look at, or each link and image
// that is not a full URL (checkLinks).
func renderFaults(body string) []error {
	mk := mailer.NewMarkers()
	html, _, err := Render(body, mk)
	if err != nil {
		return []error{err}
	}
	return checkLinks(body, html, mk)
}

// CheckBody is the check a welcome text passes to be saved: it must render
// as a campaign's body does, with full URLs in its links and images and
// no element mail cannot show. Every fault is in the error, joined
// (errors.Join, one a line) as a campaign's body names them all
// (bodyFaults), each still its own error for the caller to tell a
// subscribers.NewTextOnly one from the others.
func CheckBody(markdown string) error { return errors.Join(bodyFaults(markdown, "")...) }

// maxFaults is how many faults of one kind (the links that are not full
// URLs, the elements mail cannot show) a body's refusal names, each on a
// line of its own; the rest are counted on one more, so a body of
// thousands does not make an error as long as itself.
const maxFaults = 20

// namedFaults is n faults of one kind as a refusal says them: the first
// maxFaults named, fault(i) for each, and the rest counted on one line
// more, rest(n-maxFaults). fault is called for the named ones alone, in
// order, so that it may give its advice once, with the first fault it
// fits, and word no more than maxFaults of a body of thousands.
func namedFaults(n int, fault func(i int) error, rest func(more int) error) []error {
	var faults []error
	for i := range min(n, maxFaults) {
		faults = append(faults, fault(i))
	}
	if n > maxFaults {
		faults = append(faults, rest(n-maxFaults))
	}
	return faults
}

// checkLinks is a fault for each link or image of the rendered html of
// body that has a relative URL ("/about", "photo.jpg",
// "//cdn.example/x.png"): a web page resolves it against its own address,
// but a mail has none, so the link leads nowhere and the image never
// shows. A link within the mail ("#section") is taken. Each is named with
// its line, in the order of the lines, the first maxFaults of them, and
// what to write instead is said once, with the first it fits; naming the
// first alone left an editor one refusal a save. Only a save of a new or
// changed body checks this; a body stored before it sends, is duplicated
// and is edited around as it is.
func checkLinks(body, html string, mk mailer.Markers) []error {
	// The personal fields, as mk's markers in html, as the author wrote
	// them.
	written := strings.NewReplacer(mk.Of(mailer.NameURL), "{{ .Name }}", mk.Of(mailer.EmailURL), "{{ .Email }}",
		mk.Of(mailer.Name), "{{ .Name }}", mk.Of(mailer.Email), "{{ .Email }}")
	var bad []badURL
	// The URLs come in the order the body has them: each is looked for
	// after the one before, so two links to the same page are each on
	// their own line. at and atLine are where the last was found.
	at, atLine := 0, 1
	for _, attr := range urlAttr.FindAllString(html, -1) {
		name, quoted, _ := strings.Cut(strings.TrimSpace(attr), "=")
		v := stdhtml.UnescapeString(strings.Trim(quoted, `"`))
		if strings.HasPrefix(v, "#") {
			continue
		}
		if u, err := url.Parse(v); err == nil && u.Scheme != "" {
			continue
		}
		b := badURL{what: "the link", v: written.Replace(v)}
		if name == "src" {
			b.what = "the image"
		}
		i := indexAfter(body, at, b.v)
		if dec, err := url.PathUnescape(b.v); i < 0 && err == nil && dec != b.v {
			// Markdown escapes what a URL may not hold as it is
			// ("/café" is "/caf%C3%A9"): the author wrote it so.
			if i = indexAfter(body, at, dec); i >= 0 {
				b.v = dec
			}
		}
		if i >= 0 {
			if i < at {
				at, atLine = 0, 1
			}
			b.line = atLine + strings.Count(body[at:i], "\n")
			at, atLine = i+len(b.v), b.line+strings.Count(b.v, "\n")
		}
		bad = append(bad, b)
	}
	// A URL not found as written has no line, and goes after those that
	// have one.
	lineOf := func(b badURL) int {
		if b.line == 0 {
			return math.MaxInt
		}
		return b.line
	}
	slices.SortStableFunc(bad, func(a, b badURL) int { return cmp.Compare(lineOf(a), lineOf(b)) })
	advised := map[bool]bool{}
	return namedFaults(len(bad), func(i int) error {
		b := bad[i]
		msg := fmt.Sprintf("%s %q is not a full URL", b.what, b.v)
		if b.line > 0 {
			msg = fmt.Sprintf("line %d: %s", b.line, msg)
		}
		// What to write instead is said once for each kind of fault.
		field := strings.HasPrefix(b.v, "{{")
		switch {
		case advised[field]:
		case field:
			msg += ": a personal field may fill part of one (https://news.example/me?e={{ .Email }}), not stand for it"
		default:
			msg += ": a mail has no page to resolve it against; write it whole, with https:// and the site's name"
		}
		advised[field] = true
		return &linkError{msg}
	}, func(int) error { return &linkError{moreLinks(bad[maxFaults:])} })
}

// indexAfter is where v is in body at or after from, else before it, else
// -1.
func indexAfter(body string, from int, v string) int {
	if i := strings.Index(body[from:], v); i >= 0 {
		return from + i
	}
	return strings.Index(body[:min(from+len(v), len(body))], v)
}

// A badURL is a link or an image checkLinks refuses: what it is ("the
// link", "the image"), its URL as written, and its line, 0 when the URL
// is not found in the body as written.
type badURL struct {
	what, v string
	line    int
}

// moreLinks counts bad, the faults past those named: "and 3 more links
// that are not full URLs".
func moreLinks(bad []badURL) string {
	links := 0
	for _, b := range bad {
		if b.what == "the link" {
			links++
		}
	}
	// One fault is a link or an image, never both.
	one, many := "link", "links and images"
	switch links {
	case len(bad):
		many = "links"
	case 0:
		one, many = "image", "images"
	}
	return "and " + prose.Count(len(bad), "more "+one+" that is not a full URL", "more "+many+" that are not full URLs")
}

// A linkError is checkLinks' refusal: one for a body being written, as a
// body stored before the check sends as it is (subscribers.NewTextOnly).
type linkError struct{ msg string }

func (e *linkError) Error() string     { return e.msg }
func (e *linkError) NewTextOnly() bool { return true }

var _ subscribers.NewTextOnly = (*linkError)(nil)

// Render turns a Markdown body into sanitised HTML and plain text, once per
// send. The personal fields the author wrote become markers of mk, which
// Markdown and the sanitiser leave as they are, and each recipient's
// values are filled in when the message is composed: as text, or as URL
// data where a field stands in a link's URL. mk is drawn for the render,
// so marker text anywhere else in the body is only text. A fallback,
// {{ .Name | default "reader" }}, goes between mk's fallback markers, so
// the message keeps the side that is each reader's; its text stands in
// the body as a placeholder until Markdown is done, so it comes out as
// written, whatever its punctuation. A name without a fallback is put in
// one of its own, whose side for readers without a name leaves the name
// out with the space or comma before it (bareNames): "Dear {{ .Name }},"
// reads "Dear," to them, "{{ .Name }}'s picks" reads "Your picks", and a
// paragraph holding only the name is not there for them.
func Render(body string, mk mailer.Markers) (html, text string, err error) {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	if faults := shapeFaults(body); len(faults) > 0 {
		return "", "", errShape(faults)
	}
	fields, err := parseFields(body)
	if err != nil {
		return "", "", err
	}
	fb := fallbacks{nonce: string(mailer.NewMarkers())}
	var b strings.Builder
	at := 0
	for _, f := range fields {
		b.WriteString(body[at:f.start])
		at = f.end
		if f.literal {
			b.WriteString("{{")
			continue
		}
		if f.of != mailer.Name || !f.hasFallback {
			b.WriteString(mk.Of(f.of))
			continue
		}
		b.WriteString(mk.Of(mailer.IfName) + mk.Of(mailer.Name) + mk.Of(mailer.ElseName) + fb.add(f.fallback) + mk.Of(mailer.EndName))
	}
	b.WriteString(body[at:])
	src := []byte(b.String())
	var buf bytes.Buffer
	if err := markdown.Convert(src, &buf); err != nil {
		return "", "", fmt.Errorf("render markdown: %w", err)
	}
	html = mk.InURLs(sanitizer.Sanitize(buf.String()))
	if fb.inURL(html) {
		return "", "", fmt.Errorf("has a fallback in a link's URL: write {{ .Name }} there, without default")
	}
	names := &bareNames{mk: mk, html: true}
	html = names.dropElements(names.wrap(html, true))
	return sizeImages(inlineStyles.Replace(fb.fill(html, true))), fb.fill(markdownText(src, mk, &fb), false), nil
}

// fallbacks are the fallback texts of one render, each standing in the
// body as a placeholder of letters and digits while Markdown renders it.
// The text part's capitals, which a line starts with for a reader without
// a name where it started with the name, and the "your" such a reader
// reads for a possessive name (bareNames), stand in it as placeholders
// too while it is wrapped, measured as nothing: the line is as long as
// the name's side for readers with one, which the wrap is for.
type fallbacks struct {
	nonce    string
	texts    []string
	capitals []string
}

// add returns the placeholder of the fallback text s.
func (fb *fallbacks) add(s string) string {
	fb.texts = append(fb.texts, s)
	return fb.placeholder(len(fb.texts) - 1)
}

func (fb *fallbacks) placeholder(i int) string {
	return "BLTN" + fb.nonce + "FB" + strconv.Itoa(i) + "x"
}

// capital returns the placeholder of s, a capital letter or "your".
func (fb *fallbacks) capital(s string) string {
	fb.capitals = append(fb.capitals, s)
	return "BLTN" + fb.nonce + "CP" + strconv.Itoa(len(fb.capitals)-1) + "x"
}

// withCapitals is s, a text part's, with its capitals in place of their
// placeholders: as a reader without a name reads it, to measure.
func (fb *fallbacks) withCapitals(s string) string {
	own := "BLTN" + fb.nonce + "CP"
	for {
		i := strings.Index(s, own)
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i+len(own):], 'x')
		n, err := strconv.Atoi(s[i+len(own) : i+len(own)+max(j, 0)])
		if j < 0 || err != nil || n >= len(fb.capitals) {
			return s
		}
		s = s[:i] + fb.capitals[n] + s[i+len(own)+j+1:]
	}
}

// linkMarks stand around a link holding only the name in the text part,
// until its bare names are put in fallbacks (bareNames); they are
// measured as nothing.
func (fb *fallbacks) linkMarks() (open, close string) {
	return "BLTN" + fb.nonce + "LOx", "BLTN" + fb.nonce + "LCx"
}

// measure is columns, a word's width, with each fallback placeholder in
// the word measured as its text, and capitals and link marks as nothing.
func (fb *fallbacks) measure(columns func(string) int) func(string) int {
	if fb == nil {
		return columns
	}
	own := "BLTN" + fb.nonce
	return func(w string) int {
		if !strings.Contains(w, own) {
			return columns(w)
		}
		return columns(fb.replace(w, false, true))
	}
}

// inURL says a placeholder stands in an href or src attribute.
func (fb *fallbacks) inURL(html string) bool {
	for _, attr := range urlAttr.FindAllString(html, -1) {
		if strings.Contains(attr, "BLTN"+fb.nonce+"FB") {
			return true
		}
	}
	return false
}

// fill puts the fallback texts and capitals in place of their
// placeholders, escaped for HTML when isHTML.
func (fb *fallbacks) fill(s string, isHTML bool) string {
	if len(fb.texts) == 0 && len(fb.capitals) == 0 {
		return s
	}
	return fb.replace(s, isHTML, false)
}

// replace is fill, with the capitals and link marks left out when
// measuring.
func (fb *fallbacks) replace(s string, isHTML, measuring bool) string {
	var pairs []string
	for i, t := range fb.texts {
		if isHTML {
			t = stdhtml.EscapeString(t)
		}
		pairs = append(pairs, fb.placeholder(i), t)
	}
	for i, c := range fb.capitals {
		if measuring {
			c = ""
		}
		pairs = append(pairs, "BLTN"+fb.nonce+"CP"+strconv.Itoa(i)+"x", c)
	}
	open, close := fb.linkMarks()
	return strings.NewReplacer(append(pairs, open, "", close, "")...).Replace(s)
}

// urlAttr matches an href or src attribute of sanitised HTML, whose
// attributes are all double-quoted.
var urlAttr = regexp.MustCompile(`\s(?:href|src)="[^"]*"`)

// RenderFor renders body as p sees it, outside a message: for previews
// and the archive.
func RenderFor(body string, p mailer.Personal) (html, text string, err error) {
	mk := mailer.NewMarkers()
	html, text, err = Render(body, mk)
	if err != nil {
		return "", "", err
	}
	return mk.Fill(html, p, true), mk.Fill(text, p, false), nil
}

// contentWidth is the width in pixels of what the mail's card holds: the
// 600 px column of templates/mail/campaign.html less its 32 px padding
// on either side. templates/mail/digest.html gives its images that width
// at most.
const contentWidth = 536

// inlineStyles gives the elements Markdown makes the inline CSS mail
// clients keep (Gmail drops much of a <style> block, Outlook reads little
// else): spacing, sizes, borders. It sets no colours, so the mail's dark
// mode and the archive's pages keep theirs. The sanitiser's output is
// regular, so its opening tags can be matched as text; "<" in text is
// escaped. An image's style depends on its size, which sizeImages gives.
var inlineStyles = func() *strings.Replacer {
	const block = "margin:0 0 16px;"
	styles := []struct{ tag, css string }{
		{"p", block},
		{"h1", "margin:24px 0 12px;font-size:26px;line-height:32px;"},
		{"h2", "margin:24px 0 12px;font-size:21px;line-height:28px;"},
		{"h3", "margin:20px 0 8px;font-size:18px;line-height:26px;"},
		{"h4", "margin:16px 0 8px;font-size:16px;line-height:24px;"},
		{"ul", block + "padding:0 0 0 24px;"},
		{"ol", block + "padding:0 0 0 24px;"},
		{"li", "margin:0 0 6px;"},
		{"blockquote", block + "padding:0 0 0 14px;border-left:3px solid #d1d5db;"},
		{"pre", block + "padding:12px;border:1px solid #d1d5db;border-radius:4px;overflow:auto;white-space:pre-wrap;"},
		{"code", "font-family:Menlo,Consolas,'Courier New',monospace;font-size:14px;"},
		{"hr", "margin:24px 0;border:0;border-top:1px solid #d1d5db;"},
		{"table", block + "border-collapse:collapse;"},
		{"th", "padding:6px 10px;border:1px solid #d1d5db;text-align:left;"},
		{"td", "padding:6px 10px;border:1px solid #d1d5db;"},
		{"a", "text-decoration:underline;"},
	}
	var pairs []string
	for _, s := range styles {
		attr := ` style="` + s.css + `"`
		pairs = append(pairs, "<"+s.tag+">", "<"+s.tag+attr+">", "<"+s.tag+" ", "<"+s.tag+attr+" ")
	}
	return strings.NewReplacer(pairs...)
}()
