package campaigns

import (
	"fmt"
	stdhtml "html"
	"net/url"
	"regexp"
	"strings"

	"github.com/bulletinhq/bulletin/mailer"
)

// A linkTracker rewrites the links of one send's HTML part to
// BASE/r/LINK.READER: LINK signed once per link here, READER the Reader
// field's marker, which the mailer fills in for each recipient. Only http
// and https links that go elsewhere are tracked: never the unsubscribe
// and preferences links, the footer's link to the issue's own page in
// the archive, mailto:, anchors, images, nor a URL that holds a reader's
// own field. The text part keeps the URLs as written.
type linkTracker struct {
	base  string
	issue string // the URL of the issue's archive page, "" for none
	mk    mailer.Markers
	urls  []string          // the tracked URLs of the HTML part, each once, in order
	seen  map[string]string // urls, by their linkKey
}

func newLinkTracker(base string, mk mailer.Markers) *linkTracker {
	return &linkTracker{base: strings.TrimRight(base, "/"), mk: mk, seen: map[string]string{}}
}

var (
	// anchorTag matches an <a> start tag of the rendered HTML, whose
	// attribute values are all double-quoted with ">" escaped (the
	// sanitiser's and html/template's output).
	anchorTag = regexp.MustCompile(`<a\s[^>]*>`)
	hrefAttr  = regexp.MustCompile(`(\shref=")([^"]*)(")`)
)

// markerFields are the fields whose markers make a URL differ per
// reader: such a URL cannot be one stored link.
var markerFields = []mailer.Field{mailer.Name, mailer.Email, mailer.NameURL, mailer.EmailURL, mailer.Unsubscribe,
	mailer.Preferences, mailer.IfName, mailer.ElseName, mailer.EndName, mailer.Reader}

// trackable says whether the link to u is tracked.
func (t *linkTracker) trackable(u string) bool {
	if !hasPrefixFold(u, "http://") && !hasPrefixFold(u, "https://") {
		return false
	}
	for _, own := range []string{"/unsubscribe/", "/preferences/", "/r/", "/o/"} {
		if hasPrefixFold(u, t.base+own) {
			return false
		}
	}
	if t.issue != "" && strings.EqualFold(u, t.issue) {
		return false
	}
	for _, f := range markerFields {
		if strings.Contains(u, t.mk.Of(f)) {
			return false
		}
	}
	p, err := url.Parse(u)
	return err == nil && p.Host != ""
}

// collect notes the tracked links of the HTML part, in order.
func (t *linkTracker) collect(html string) {
	for _, tag := range anchorTag.FindAllString(html, -1) {
		m := hrefAttr.FindStringSubmatch(tag)
		if m == nil {
			continue
		}
		u := stdhtml.UnescapeString(m[2])
		if k := linkKey(u); t.seen[k] == "" && t.trackable(u) {
			t.seen[k] = u
			t.urls = append(t.urls, u)
		}
	}
}

// linkKey is the form in which the links of a message are matched.
// html/template percent-encodes in an href the bytes it would not leave in
// a URL (a non-ASCII letter, a bracket, a space), so a digest's article
// at "…/café" is linked to "…/caf%c3%a9" in the HTML part, and its feed
// may have stored it either way, with escapes in either case. The key
// encodes those bytes as html/template does, and writes every escape in
// upper case (RFC 3986 §6.2.2.1), so all of these forms have one key; a
// URL html/template leaves as it is without escapes is its own key.
func linkKey(u string) string {
	var b strings.Builder
	b.Grow(len(u))
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-._~!#$&*+,/:;=?@[]", c) >= 0:
			b.WriteByte(c)
		case c == '%' && i+2 < len(u) && isHex(u[i+1]) && isHex(u[i+2]):
			b.WriteByte('%')
			b.WriteString(strings.ToUpper(u[i+1 : i+3]))
			i += 2
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// html rewrites the HTML part's tracked links, collected before; link
// gives the tracked URL of each.
func (t *linkTracker) html(html string, link func(string) string) string {
	return anchorTag.ReplaceAllStringFunc(html, func(tag string) string {
		return hrefAttr.ReplaceAllStringFunc(tag, func(attr string) string {
			m := hrefAttr.FindStringSubmatch(attr)
			if u := t.seen[linkKey(stdhtml.UnescapeString(m[2]))]; u != "" {
				return m[1] + stdhtml.EscapeString(link(u)) + m[3]
			}
			return attr
		})
	})
}

// pixel puts the open pixel, named by the Reader field, at the end of
// the HTML part's body.
func (t *linkTracker) pixel(html string) string {
	img := `<img src="` + stdhtml.EscapeString(t.base) + `/o/` + t.mk.Of(mailer.Reader) + `.gif" width="1" height="1" alt="" style="display:block;border:0">` + "\n"
	if i := strings.LastIndex(html, "</body>"); i >= 0 {
		return html[:i] + img + html[i:]
	}
	return html + img
}
