package mailer

import (
	"crypto/rand"
	"encoding/base32"
	"html"
	"regexp"
	"strings"
	"unicode/utf8"
)

// A Field is a per-recipient value that campaign content rendered once
// leaves a marker for.
type Field int

// The fields, in the order of Markers.All.
const (
	Name        Field = iota // the reader's name, as text
	Email                    // the reader's address, as text: its domain as people write it (AddressForPeople)
	NameURL                  // the name as URL data: in an href or src
	EmailURL                 // the address as URL data
	Unsubscribe              // the unsubscribe token, URL-safe
	Preferences              // the preferences token, URL-safe
	IfName                   // starts a fallback: what follows goes to readers with a name
	ElseName                 // what follows goes to readers without a name
	EndName                  // ends a fallback; all three stand in body text only
	Reader                   // the tracking token of the reader's delivery, URL-safe
	Link                     // the token of a link of the reader's own, URL-safe: a confirmation's
	Rule                     // starts a heading's rule: up to EndRule, one '=' for each character, fields too
	RuleDash                 // starts a rule of '-', under a heading of the second level
	EndRule                  // ends a rule; all three stand in a text part only (see Rules)
	messageID                // the Message-ID header, whole
	to                       // the To header's address, whole
	numFields
)

// fieldCodes end each field's marker; all markers of a set have one
// length, so none is the start of another.
var fieldCodes = [numFields]string{"NM", "EM", "NU", "EU", "UN", "PR", "IF", "EL", "EN", "RD", "LK", "UL", "UD", "UE", "ID", "TO"}

// legacyMarkers are the fixed markers of content rendered before markers
// were drawn per render, so tasks queued by an older version still send.
// Such content has no rule: the markers of the rules are there only so
// the set is whole.
var legacyMarkers = [numFields]string{"BLTNzNAMEzq7", "BLTNzMAILzq7", "BLTNzNAMUzq7", "BLTNzMAIUzq7",
	"BLTNzUNSBzq7", "BLTNzPREFzq7", "BLTNzIFNMzq7", "BLTNzELNMzq7", "BLTNzENNMzq7", "BLTNzREADzq7", "BLTNzLINKzq7",
	"BLTNzULEQzq7", "BLTNzULDSzq7", "BLTNzULENzq7", "BLTNzMSIDzq7", "BLTNzTOOOzq7"}

// nonceEncoding writes a nonce in lower-case letters and digits, which
// Markdown, the sanitiser, html/template and quoted-printable leave as
// they are, and which no typographic rule rewrites.
var nonceEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Markers is the nonce of one render's field markers. Content is rendered
// once with a fresh set (NewMarkers), so text from outside — an article,
// a feed item, a subject, a name — cannot know them: a marker is filled in
// only where Bulletin itself put it, and any other text comes out as it
// was written. The zero value is the legacy fixed set.
type Markers string

// NewMarkers draws a new set of markers: 100 random bits.
func NewMarkers() Markers {
	var b [13]byte
	rand.Read(b[:])
	return Markers(nonceEncoding.EncodeToString(b[:])[:20])
}

// Of returns the marker of field f.
func (m Markers) Of(f Field) string {
	if m == "" {
		return legacyMarkers[f]
	}
	return "BLTN" + string(m) + fieldCodes[f]
}

// all returns the markers of the set, indexed by field.
func (m Markers) all() [numFields]string {
	var out [numFields]string
	for f := range numFields {
		out[f] = m.Of(f)
	}
	return out
}

// urlAttr matches an href or src attribute of sanitised HTML.
var urlAttr = regexp.MustCompile(`\s(?:href|src)="[^"]*"`)

// InURLs rewrites the Name and Email markers inside href and src
// attributes of sanitised HTML into their URL forms, so a reader's name
// there is filled in as URL data and cannot become a javascript: link.
// The sanitiser writes every attribute double-quoted and escapes "<" and
// quotes in text, so its attributes can be found as text.
func (m Markers) InURLs(sanitised string) string {
	urls := strings.NewReplacer(m.Of(Name), m.Of(NameURL), m.Of(Email), m.Of(EmailURL))
	return urlAttr.ReplaceAllStringFunc(sanitised, urls.Replace)
}

// InURL rewrites the Name and Email markers of one URL into their URL
// forms: for a text part's link.
func (m Markers) InURL(u string) string {
	return strings.NewReplacer(m.Of(Name), m.Of(NameURL), m.Of(Email), m.Of(EmailURL)).Replace(u)
}

// Fill replaces the markers in s with p's values, escaped for HTML when
// isHTML, keeps of each fallback the side that is p's and makes each rule
// as long as p's heading: for previews and the archive, which show
// content outside a message. Compose does the same for each message.
func (m Markers) Fill(s string, p Personal, isHTML bool) string {
	s = m.rules(m.Choose(s, p.Name != ""), &p)
	var pairs []string
	for f, mk := range m.all() {
		if f >= int(messageID) {
			break
		}
		v := value(Field(f), p)
		if isHTML {
			v = html.EscapeString(v)
		}
		pairs = append(pairs, mk, v)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// Choose keeps of each fallback in s the side for a reader with a name
// (named) or without one, and drops the fallback markers: for text shown
// to one reader outside a message (Fill).
func (m Markers) Choose(s string, named bool) string {
	out, _ := m.choose(s, named, false)
	return out
}

// choose is Choose for s starting inside the side of a fallback that is
// not the reader's (skip) or outside one, and says which it ends in: for
// a text part's paragraph read line by line, whose fallbacks may run from
// one line to the next (campaigns puts the space before a name in one).
func (m Markers) choose(s string, named, skip bool) (string, bool) {
	var b strings.Builder
	for s != "" {
		at, f := -1, Field(-1)
		for _, g := range []Field{IfName, ElseName, EndName} {
			if i := strings.Index(s, m.Of(g)); i >= 0 && (at < 0 || i < at) {
				at, f = i, g
			}
		}
		if at < 0 {
			at = len(s)
		}
		if !skip {
			b.WriteString(s[:at])
		}
		if f < 0 {
			break
		}
		skip = skipAfter(f, named)
		s = s[at+len(m.Of(f)):]
	}
	return b.String(), skip
}

// Rules makes the text between each Rule (or RuleDash) and its EndRule in
// s a rule, one '=' (or '-') for each character, and keeps the markers in
// it: the fields and fallbacks, whose part of the rule differs from one
// reader to the next, for Compose to make as it fills them. A text part
// holding rules is made so once before it is composed: the heading copied
// between the markers may hold text put in after the markers were (a
// fallback's), so the rule is made from the text as it ends up.
func (m Markers) Rules(s string) string { return m.rules(s, nil) }

// rules makes the rules of s: their text, and with p their fields too,
// as long as p's values, and then without their markers.
func (m Markers) rules(s string, p *Personal) string {
	open, dash, end := m.Of(Rule), m.Of(RuleDash), m.Of(EndRule)
	if !strings.Contains(s, open) && !strings.Contains(s, dash) {
		return s
	}
	var b strings.Builder
	for {
		i, start, rule := strings.Index(s, open), open, "="
		if j := strings.Index(s, dash); j >= 0 && (i < 0 || j < i) {
			i, start, rule = j, dash, "-"
		}
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		// A rule not ended runs to the end of s.
		inner, rest, _ := strings.Cut(s[i+len(start):], end)
		s = rest
		if p == nil {
			b.WriteString(start)
		}
		for inner != "" {
			at, f := m.nextMarker(inner)
			b.WriteString(strings.Repeat(rule, utf8.RuneCountInString(inner[:at])))
			if f < 0 {
				break
			}
			if p == nil {
				b.WriteString(m.Of(f))
			} else {
				b.WriteString(strings.Repeat(rule, utf8.RuneCountInString(value(f, *p))))
			}
			inner = inner[at+len(m.Of(f)):]
		}
		if p == nil {
			b.WriteString(end)
		}
	}
}

// nextMarker finds the first marker of m's body fields in s: its index
// and field, or len(s) and -1. Other text starting "BLTN" is text.
func (m Markers) nextMarker(s string) (int, Field) {
	for at := 0; ; at++ {
		i := strings.Index(s[at:], "BLTN")
		if i < 0 {
			return len(s), -1
		}
		at += i
		for f := range messageID {
			if strings.HasPrefix(s[at:], m.Of(f)) {
				return at, f
			}
		}
	}
}

// skipAfter says whether what follows the fallback marker f is left out
// for a reader with a name (named) or without one.
func skipAfter(f Field, named bool) bool {
	switch f {
	case IfName:
		return !named
	case ElseName:
		return named
	}
	return false
}

// value is what field f of p is, as it goes into a message part.
func value(f Field, p Personal) string {
	switch f {
	case Name:
		return shownName(p.Name)
	case Email:
		return AddressForPeople(p.Email)
	case NameURL:
		return urlData(p.Name)
	case EmailURL:
		return urlData(p.Email)
	case Unsubscribe:
		return p.Unsubscribe
	case Preferences:
		return p.Preferences
	case Reader:
		return p.Reader
	case Link:
		return p.Link
	}
	return ""
}

// urlData percent-encodes every byte of s but RFC 3986's unreserved
// characters, so s is data wherever it lands in a URL: it can start no
// scheme (no ":"), path, query or fragment of its own.
func urlData(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
