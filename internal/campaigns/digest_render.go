package campaigns

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/mailer"
)

// A digestArticle is one article of a digest, as the templates show it.
type digestArticle struct {
	id          int64
	summary     string
	body        string
	Title       string
	URL         string
	Author      string
	ImageURL    string // https; "" for none
	ImageAlt    string
	PublishedAt time.Time // in the list's time zone once rendered
	Summary     string    // two or three lines
	Excerpt     excerpt   // Summary with the links of the body it was taken from
	Wrapped     string    // Excerpt wrapped for the text part, the links' URLs after their labels
	TextTitle   string    // Title wrapped for the text part (hang)

	// imageWidth and imageHeight are the image's size as stored, 0 when
	// unknown; ImageWidth and ImageHeight are the size it is shown at once
	// rendered (imageBox), ImageHeight 0 when unknown.
	imageWidth, imageHeight int
	ImageWidth, ImageHeight int
}

// Byline is "By Author · 2 January 2006", or the date alone.
func (a digestArticle) Byline() string {
	date := a.PublishedAt.Format("2 January 2006")
	if a.Author == "" {
		return date
	}
	return "By " + a.Author + " · " + date
}

// TextByline is Byline for the text part: wrapped as a title is (hang),
// since an author may have 200 characters, with the date on one line.
func (a digestArticle) TextByline() string {
	if a.Author == "" {
		return a.Byline()
	}
	return joinLast(hang("By "+a.Author+" ·"), a.PublishedAt.Format("2 January 2006"), hangIndent)
}

// digestData is what templates/mail/digest.{html,txt} are given. They
// render a digest's body; campaign.{html,txt} wrap it like any campaign's,
// with the preheader, the footer and the personal links.
type digestData struct {
	Publisher string
	ListName  string
	Link      string // the colour of the stories' links: the accent as text (templates.Brand.AccentText)
	// Lang is the publication's language when it is not English, else ""
	// (templates.Brand.ContentLang): the stories are in it, and the
	// digest's own English words are marked lang="en" then.
	Lang     string
	Heading  string // "5 new stories"
	Range    string // the dates of the articles
	Articles []digestArticle
}

// Intro is the text part's first lines: how many stories, in which list,
// from whom, over which dates; wrapped at 72 columns as the summaries
// are, since names and dates make it longer than a line. The list's and
// the publisher's names are kept whole (mailer.WrapProse), and the dates
// stay on one line.
func (d digestData) Intro() string {
	head := mailer.WrapProse(d.Heading+" in "+d.ListName+" from "+d.Publisher+",", textWidth, d.ListName, d.Publisher)
	return joinLast(head, d.Range+".", "")
}

// joinLast puts tail, kept on one line, after the last line of the
// wrapped text head, or on a line of its own behind indent when it does
// not fit there.
func joinLast(head, tail, indent string) string {
	last := head[strings.LastIndexByte(head, '\n')+1:]
	if utf8.RuneCountInString(last)+1+utf8.RuneCountInString(tail) > textWidth {
		return head + "\n" + indent + tail
	}
	return head + " " + tail
}

// hangIndent starts the lines after the first of a title in the text
// part, so that a reader sees them as one title, apart from the URL and
// the byline below it, which start at the margin.
const hangIndent = "  "

// hang wraps s, one line of the text part such as a title, at textWidth
// columns, its lines after the first behind hangIndent. A line that fits
// stays as it is; a word longer than a line, a URL most often, keeps a
// line of its own, whole.
func hang(s string) string {
	if utf8.RuneCountInString(s) <= textWidth {
		return s
	}
	return strings.ReplaceAll(wrap(s, textWidth-len(hangIndent)), "\n", "\n"+hangIndent)
}

// summaryRunes keeps a summary to two or three lines of the mail.
const summaryRunes = 280

// renderDigest renders the digest's body parts, once, for pub: the
// publication as the digest is sent, in its language (its mail's
// wrapping takes the same, from the campaign's row).
func (s *Service) renderDigest(pub settings.Publication, l *digestList, d *Digest, items []digestArticle) (html, text string, err error) {
	// Dates are the list's: a story out at 07:30 in Tokyo is of that day
	// there, whatever the date in UTC. An unknown zone is UTC, as for the
	// schedule.
	loc, _ := zoneOf(l.zone)
	for i := range items {
		a := &items[i]
		a.PublishedAt = a.PublishedAt.In(loc)
		// One line each: a title or author stored with a line break (the
		// API refuses one in a title now) would break the text part's
		// layout of title, URL and byline.
		a.Title, a.Author = oneLineText(a.Title), oneLineText(a.Author)
		// An article without a summary shows the start of its body, the
		// links in it kept: a link's label alone says less than it did.
		ex := excerpt{{Text: clip(a.summary, summaryRunes)}}
		if a.summary == "" {
			ex = bodyExcerpt(a.body, a.URL).clip(summaryRunes)
		}
		a.Summary, a.Excerpt = ex.String(), ex
		a.Wrapped = wrap(ex.Text(), textWidth)
		a.TextTitle = hang(a.Title)
		a.ImageWidth, a.ImageHeight = imageBox(a.imageWidth, a.imageHeight)
	}
	brand := pub.Brand()
	data := digestData{
		Publisher: pub.Name,
		ListName:  l.name,
		Link:      brand.AccentText(),
		Lang:      brand.ContentLang(),
		Heading:   storyCount(len(items)),
		Range:     dateRange(items),
		Articles:  items,
	}
	if d.Cadence == CadenceWeekly && l.digest == CadenceDaily {
		data.Heading += " this week"
	}
	text, html, err = s.Templates.Mail("digest", data)
	return html, text, err
}

// imageBox is the size an article's image of width by height pixels is
// shown at in a digest: as wide as the card (contentWidth) at most, never
// stretched beyond its own width, its height scaled to match so it keeps
// its shape. An image of unknown size (0 by 0) is as wide as the card,
// with no height: a guessed one would squash it.
func imageBox(width, height int) (w, h int) {
	if width <= 0 || height <= 0 {
		return contentWidth, 0
	}
	w = min(width, contentWidth)
	h = max(1, int(math.Round(float64(height)*float64(w)/float64(width))))
	return w, h
}

func storyCount(n int) string {
	if n == 1 {
		return "1 new story"
	}
	return fmt.Sprintf("%d new stories", n)
}

// digestSubject names the count and the top story, as in "Daily News
// (5 new stories): Bridge reopens after repairs", within the 200
// characters a campaign subject may have. The count is in brackets, not
// after a dash: a headline with a dash of its own ("Looking back — the
// year in film") gave the subject two, which read as three parts.
func digestSubject(listName, cadence, schedule string, items []digestArticle) string {
	head := listName
	if cadence == CadenceWeekly && schedule == CadenceDaily {
		head += " weekly"
	}
	head += " (" + storyCount(len(items)) + "): "
	return oneLineText(head + clip(items[0].Title, 200-utf8.RuneCountInString(head)))
}

// dateRange spans the publication dates of items, newest first, in the
// zone their times are in.
func dateRange(items []digestArticle) string {
	newest, oldest := items[0].PublishedAt, items[len(items)-1].PublishedAt
	switch {
	case newest.Format("2006-01-02") == oldest.Format("2006-01-02"):
		return newest.Format("2 January 2006")
	case newest.Year() != oldest.Year():
		return oldest.Format("2 January 2006") + " – " + newest.Format("2 January 2006")
	case newest.Month() != oldest.Month():
		return oldest.Format("2 January") + " – " + newest.Format("2 January 2006")
	}
	return oldest.Format("2") + "–" + newest.Format("2 January 2006")
}

// mdSpaces matches a run of white space, which prose reads as one space.
var mdSpaces = regexp.MustCompile(`\s+`)

// plainText is the start of a Markdown body as one line of prose, the
// summary of an article without one: the text of its first two
// paragraphs as the text part reads them (markdownText), escapes and
// entities resolved and the marks gone, with a link's text without its
// URL (bodyExcerpt keeps it) and no images. Headings, lists, tables,
// quotes and code are passed over: they do not read as the start of a
// story.
func plainText(body string) string { return bodyExcerpt(body, "").String() }

// bodyExcerpt is plainText with the links of the paragraphs kept (an
// excerpt), their URLs made absolute against base, the article's URL.
func bodyExcerpt(body, base string) excerpt {
	if shapeFaults(body) != nil {
		return nil // no summary, rather than minutes parsing it (shapeFaults)
	}
	body = strings.NewReplacer(linkOpen, "", linkClose, "").Replace(body)
	src := []byte(strings.ReplaceAll(body, "\r\n", "\n"))
	doc := markdown.Parser().Parse(text.NewReader(src))
	w := textWriter{src: src, mk: mailer.NewMarkers(), prose: true}
	var paras []string
	for n := doc.FirstChild(); n != nil && len(paras) < 2; n = n.NextSibling() {
		if _, ok := n.(*ast.Paragraph); !ok {
			continue
		}
		if p := oneLineText(w.inline(n)); p != "" {
			paras = append(paras, p)
		}
	}
	return excerptOf(strings.Join(paras, " "), w.links, base)
}

// clip cuts s to at most n runes at a word boundary, with an ellipsis.
func clip(s string, n int) string {
	s = strings.TrimSpace(mdSpaces.ReplaceAllString(s, " "))
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	if i := strings.LastIndexByte(string(r), ' '); i > len(string(r))/2 {
		return strings.TrimRight(string(r)[:i], " ,;:.-—") + "…"
	}
	return string(r) + "…"
}

// clipPersonal is clip for text holding mk's markers, such as a
// preheader derived from a campaign's text part. It counts what a reader
// reads: a marker takes no room, a fallback the text of its wider side
// (fallbackWidth), so that no reader's line is longer than n, and a
// reader with a name reads the line cut where it was before the bare
// names had fallbacks wherever the side of readers without one is no
// wider ("Dear,", "Welcome"). It cuts between markers, never in one, and
// never inside a fallback: a fallback's start, sides and end go together,
// or the message would leave out the rest of the mail after the cut as
// the side of the fallback that is not the reader's. A fallback s does not
// end (its end was on a line the preheader leaves out) is ended.
func clipPersonal(s string, n int, mk mailer.Markers) string {
	s = endFallback(strings.TrimSpace(mdSpaces.ReplaceAllString(s, " ")), mk)
	if empty := mk.Of(mailer.ElseName) + mk.Of(mailer.EndName); strings.Contains(s, " "+empty) {
		// A side of readers with a name that ends with the space between
		// two lines, and leaves nothing for readers without one, such as
		// a heading's run (textWriter.strayEnd): they read the space.
		s = strings.TrimSpace(mdSpaces.ReplaceAllString(strings.ReplaceAll(s, " "+empty, empty+" "), " "))
	}
	if personalWidth(s, mk) <= n {
		return s
	}
	// The ends of s that fit in n-1 columns, outside a fallback, with
	// their widths: the last one, and the last one at a space inside those
	// columns, as clip takes it.
	cut, cutW, space, spaceW := 0, 0, 0, 0
	w := 0
	for i := 0; i < len(s); {
		cut, cutW = i, w
		if s[i] == ' ' && w < n-1 {
			space, spaceW = i, w
		}
		if f, ok := textMarkerAt(s[i:], mk); ok {
			if f == mailer.IfName {
				size, fw := fallbackWidth(s[i:], mk)
				if w+fw > n-1 {
					break
				}
				i, w = i+size, w+fw
				continue
			}
			i += len(mk.Of(f))
			continue
		}
		if w == n-1 {
			break
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		w++
	}
	if spaceW > cutW/2 {
		cut = space
	}
	return strings.TrimRight(s[:cut], " ,;:.-—") + "…"
}

// personalWidth is the columns of s, holding mk's markers, as
// clipPersonal counts them.
func personalWidth(s string, mk mailer.Markers) int {
	measure := markerFreeWidth(mk)
	w := 0
	for s != "" {
		i := strings.Index(s, mk.Of(mailer.IfName))
		if i < 0 {
			return w + measure(s)
		}
		size, fw := fallbackWidth(s[i:], mk)
		w += measure(s[:i]) + fw
		s = s[i+size:]
	}
	return w
}

// fallbackWidth reads the fallback s starts with: its length, to the end
// of its EndName or of s, and the columns of its wider side, the name
// and the address taking none.
func fallbackWidth(s string, mk mailer.Markers) (size, width int) {
	ifName, elseName, endName := mk.Of(mailer.IfName), mk.Of(mailer.ElseName), mk.Of(mailer.EndName)
	size = len(s)
	if i := strings.Index(s[len(ifName):], endName); i >= 0 {
		size = len(ifName) + i + len(endName)
	}
	named, nameless, _ := strings.Cut(s[len(ifName):size], elseName)
	measure := markerFreeWidth(mk)
	return size, max(measure(named), measure(nameless))
}

// endFallback ends the fallback s ends inside of, if any, with an empty
// side for readers without a name when it has none.
func endFallback(s string, mk mailer.Markers) string {
	ifName := mk.Of(mailer.IfName)
	i := strings.LastIndex(s, ifName)
	if i < 0 || strings.Contains(s[i+len(ifName):], mk.Of(mailer.EndName)) {
		return s
	}
	if !strings.Contains(s[i:], mk.Of(mailer.ElseName)) {
		s += mk.Of(mailer.ElseName)
	}
	return s + mk.Of(mailer.EndName)
}

// wrap breaks s into lines of at most width columns between words.
func wrap(s string, width int) string { return wrapMeasured(s, width, utf8.RuneCountInString) }

// wrapMeasured is wrap with the columns of a word counted by measure.
// A word may measure nothing (a name, an address: only the message knows
// them), so a line's start is told by its words, not by its columns: the
// word after a name that starts a line is still a word of its own.
func wrapMeasured(s string, width int, measure func(string) int) string {
	var b strings.Builder
	col, words := 0, 0 // words: on the line
	for _, w := range strings.Fields(s) {
		n := measure(w)
		if words > 0 && col+1+n > width {
			b.WriteByte('\n')
			col, words = 0, 0
		} else if words > 0 {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(w)
		col += n
		words++
	}
	return b.String()
}

func oneLineText(s string) string { return strings.Join(strings.Fields(s), " ") }
