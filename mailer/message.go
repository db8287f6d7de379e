package mailer

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime"
	"net/mail"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jordan-wright/email"
)

// A Message is one mail to one recipient, before composition.
type Message struct {
	From    *mail.Address // header From
	To      *mail.Address
	Subject string
	Text    string
	HTML    string
	// Headers are extra header fields such as List-Unsubscribe, in order.
	Headers [][2]string
	// MessageID, when empty, is made up from random bytes and From's domain.
	MessageID string
	Date      time.Time
}

// Compose renders m as RFC 5322 bytes: multipart/alternative with text then
// HTML, quoted-printable, our own Message-ID and Date, the subject encoded
// per RFC 2047 when not ASCII and long header lines folded. A header value
// with a line break is refused rather than trusted.
func (m *Message) Compose() ([]byte, error) {
	if m.From == nil || m.To == nil {
		return nil, fmt.Errorf("compose: from and to are required")
	}
	for _, a := range []*mail.Address{m.From, m.To} {
		if hasBreak(a.Address) || strings.ContainsAny(a.Address, ", \t<>\"") {
			return nil, fmt.Errorf("compose: bad address %q", a.Address)
		}
	}
	// The library splits From and To at every comma, one inside a quoted
	// display name too, so it is given neither: withAddresses writes them.
	e := email.NewEmail()
	e.Subject = encodeSubject(oneLine(m.Subject))
	e.Text = []byte(m.Text)
	e.HTML = []byte(m.HTML)
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	id := m.MessageID
	if id == "" {
		id = NewMessageID(m.From.Address)
	}
	e.Headers = textproto.MIMEHeader{
		"Date":       {date.Format(time.RFC1123Z)},
		"Message-Id": {oneLine(id)},
	}
	for _, h := range m.Headers {
		if hasBreak(h[0]) || hasBreak(h[1]) {
			return nil, fmt.Errorf("compose: header %q has a line break", h[0])
		}
		e.Headers.Add(h[0], h[1])
	}
	raw, err := e.Bytes()
	if err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	head := "From: " + addressString(m.From) + "\r\nTo: " + addressString(m.To) + "\r\n"
	return foldHeaders(withAddresses(raw, head)), nil
}

// encodeSubject encodes s per RFC 2047 when it is not ASCII, as the
// library would (mime.QEncoding, words of at most 75 octets), but with
// the first word short enough to follow "Subject: " within
// maxEncodedLine octets: the others get a line each when folded, and
// the field needs no fold before its first word, which some parsers
// (Python's email) would read as a leading space. ASCII that holds "=?"
// is encoded too, or a mail program would decode what reads as an
// encoded word in it.
func encodeSubject(s string) string {
	enc := mime.QEncoding.Encode("UTF-8", s)
	if enc == s {
		if !strings.Contains(s, "=?") {
			return s
		}
		return qWords(qText(s))
	}
	// The library's words, each cut between characters, make one text
	// again: adjacent encoded words read as one (RFC 2047 §6.2), so
	// cutting it anew loses nothing and leaves no short word between two
	// long ones.
	const open, end = "=?UTF-8?q?", "?="
	var text strings.Builder
	for _, w := range strings.Fields(enc) {
		text.WriteString(w[len(open) : len(w)-len(end)])
	}
	return qWords(text.String())
}

// qText is the Q encoding (RFC 2047 §4.2) of s, ASCII, as the text of one
// long word: what may stand in a word in a header's text as it is, the
// rest as =XX, a space as "_".
func qText(s string) string {
	var b strings.Builder
	for i := range len(s) {
		switch c := s[i]; {
		case c == ' ':
			b.WriteByte('_')
		case c > ' ' && c < 0x7f && c != '=' && c != '?' && c != '_':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "=%02X", c)
		}
	}
	return b.String()
}

// qWords splits text, a Q word's encoded text of UTF-8, into words
// between characters (RFC 2047 §5): the first fits after "Subject: "
// within maxEncodedLine octets, the others in 75 octets each.
func qWords(text string) string {
	const open, end = "=?UTF-8?q?", "?="
	var b strings.Builder
	room := maxEncodedLine - len("Subject: ")
	for text != "" {
		cut := len(text)
		if len(open)+len(text)+len(end) > room {
			cut = max(qBoundary(text, room-len(open)-len(end)), 1)
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(open + text[:cut] + end)
		text, room = text[cut:], 75
	}
	return b.String()
}

// qBoundary returns the longest prefix of text, the encoded text of a Q
// word of UTF-8, that is at most n octets and ends between two
// characters, as each encoded word must (RFC 2047 §5): before a literal
// octet or an =XX that does not continue a character.
func qBoundary(text string, n int) int {
	cut := 0
	for i := 0; i < len(text) && i <= n; {
		if text[i] != '=' || i+3 > len(text) {
			cut, i = i, i+1
			continue
		}
		if b, err := strconv.ParseUint(text[i+1:i+3], 16, 8); err == nil && b&0xc0 != 0x80 {
			cut = i
		}
		i += 3
	}
	if len(text) <= n {
		return len(text)
	}
	return cut
}

// withAddresses returns raw, the library's message, with fields (From and
// To) first, the empty From field the library always writes taken out,
// and the other fields of the head in fieldOrder: the library writes them
// from a map, in a different order each time.
func withAddresses(raw []byte, fields string) []byte {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		return raw
	}
	type field struct {
		text []byte // with its continuation lines
		rank int
		name string
	}
	var head []field
	for i := 0; i < end+2; {
		// A field runs to the next line that does not start with a space
		// or a tab: a continuation line does.
		j := i
		for {
			j += bytes.Index(raw[j:], []byte("\r\n")) + 2
			if j >= end+2 || (raw[j] != ' ' && raw[j] != '\t') {
				break
			}
		}
		if !bytes.HasPrefix(raw[i:j], []byte("From:")) {
			// Named and ranked once, not at each comparison of the sort:
			// every confirmation mail comes through here.
			name := fieldName(raw[i:j])
			head = append(head, field{raw[i:j], fieldRank(name), name})
		}
		i = j
	}
	slices.SortStableFunc(head, func(a, b field) int {
		if c := cmp.Compare(a.rank, b.rank); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	out := make([]byte, 0, len(raw)+len(fields))
	out = append(out, fields...)
	for _, f := range head {
		out = append(out, f.text...)
	}
	return append(out, raw[end+2:]...)
}

// fieldOrder is the order of a message's head after From and To, as mail
// programs show it and people read it; the fields it does not name go
// between Auto-Submitted and MIME-Version, by name.
var fieldOrder = []string{"Reply-To", "Subject", "Date", "Message-Id",
	"List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Auto-Submitted",
	"", "Mime-Version", "Content-Type", "Content-Transfer-Encoding"}

// fieldName is the name of field, one of a head's fields, canonical.
func fieldName(field []byte) string {
	name, _, _ := bytes.Cut(field, []byte(":"))
	return textproto.CanonicalMIMEHeaderKey(string(name))
}

func fieldRank(name string) int {
	if i := slices.Index(fieldOrder, name); i >= 0 {
		return i
	}
	return slices.Index(fieldOrder, "")
}

// NewMessageID returns a unique Message-ID whose right side is the domain
// of the sending address.
func NewMessageID(from string) string {
	domain := "localhost"
	if i := strings.LastIndexByte(from, '@'); i >= 0 && i < len(from)-1 {
		domain = from[i+1:]
	}
	var b [16]byte
	rand.Read(b[:])
	return "<" + hex.EncodeToString(b[:]) + "@" + domain + ">"
}

// addressString formats a for a header with its display name as the
// body shows a name (shownName): control characters as spaces, so no line
// break gets in, and each run of white space one space; mail.Address
// quotes a name with specials such as a comma and encodes a non-ASCII one
// per RFC 2047.
func addressString(a *mail.Address) string {
	return (&mail.Address{Name: strings.TrimSpace(shownName(a.Name)), Address: a.Address}).String()
}

func hasBreak(s string) bool { return strings.ContainsAny(s, "\r\n") }

// shownName is a reader's name as a mail shows it: on one line (oneLine),
// each run of white space in it one space. A signup's name is stored so
// (subscribers.NormalizeName); one stored before read "Hello Padded
// Name," with every space typed.
func shownName(name string) string { return CollapseSpaces(oneLine(name)) }

// CollapseSpaces makes each run of two or more white space characters in
// s one space; a lone one (a no-break space, an ideographic space between
// a Japanese family and given name) is kept as it is. s is returned as it
// is when it has no run, as most names have none. Names are stored so
// (subscribers.NormalizeName) and shown so (Personal.Name).
func CollapseSpaces(s string) string {
	if !hasSpaceRun(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	start, n := 0, 0 // the run of white space before the rune at i: its start, its length in runes
	for i, r := range s {
		if unicode.IsSpace(r) {
			if n == 0 {
				start = i
			}
			n++
			continue
		}
		writeSpaceRun(&b, s[start:i], n)
		n = 0
		b.WriteRune(r)
	}
	writeSpaceRun(&b, s[start:], n)
	return b.String()
}

// writeSpaceRun writes run, n white space characters, as CollapseSpaces
// keeps it: a lone one as it is, more as one space.
func writeSpaceRun(b *strings.Builder, run string, n int) {
	switch {
	case n == 1:
		b.WriteString(run)
	case n > 1:
		b.WriteByte(' ')
	}
}

// hasSpaceRun reports whether s has two white space characters in a row.
func hasSpaceRun(s string) bool {
	prev := false
	for _, r := range s {
		space := unicode.IsSpace(r)
		if space && prev {
			return true
		}
		prev = space
	}
	return false
}

// oneLine replaces line breaks and other control characters with spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// foldHeaders folds the long header lines of raw (appendFoldedLine),
// leaving the body alone.
func foldHeaders(raw []byte) []byte {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		return raw
	}
	out := make([]byte, 0, len(raw)+64)
	out = appendFolded(out, raw[:end+2])
	return append(out, raw[end+2:]...)
}

// Header lines are folded to at most maxLine octets, as RFC 5322 asks,
// and to at most maxEncodedLine when the field holds an encoded word,
// as RFC 2047 §2 asks: every field Bulletin writes with one (Subject,
// From, To, List-Id) holds words of at most 75 octets, so each can have
// a line.
const (
	maxLine        = 78
	maxEncodedLine = 76
)

// appendFoldedLine appends the header field line, unfolded, to dst with
// its CRLF, folded at spaces into lines within the limit; a word too long
// for it stays whole, on a line of its own: lines up to 998 octets are
// legal.
func appendFoldedLine(dst, line []byte) []byte {
	limit := maxLine
	if len(line) > maxEncodedLine && bytes.Contains(line, []byte("=?")) {
		limit = maxEncodedLine
	}
	for first := true; len(line) > limit; first = false {
		cut := foldPoint(line, limit, first)
		if cut < 0 {
			break
		}
		dst = append(append(dst, line[:cut]...), "\r\n"...)
		line = line[cut:] // keeps the space, which starts the continuation
	}
	return append(append(dst, line...), "\r\n"...)
}

// foldPoint returns where to fold line, a field's first line or, when
// not first, a continuation: at the last space that leaves at most limit
// octets before it and has text before it on the line (on the first,
// text of the value after "Name: "), else at the first space after that,
// else -1. A first line holding an encoded word (limit maxEncodedLine)
// whose first word does not fit after "Name: " folds before it instead,
// "To:" CRLF SP word, so the word's line stays within the limit.
func foldPoint(line []byte, limit int, first bool) int {
	after, colon := 1, -1 // a continuation starts with its space
	if first {
		if colon = bytes.IndexByte(line, ':'); colon >= 0 && colon+2 < len(line) {
			after = colon + 2
		}
	}
	if cut := bytes.LastIndexByte(line[:limit+1], ' '); cut > after {
		return cut
	}
	if limit == maxEncodedLine && colon >= 0 && after == colon+2 && line[colon+1] == ' ' {
		return colon + 1
	}
	if cut := bytes.IndexByte(line[max(after, limit):], ' '); cut >= 0 {
		return max(after, limit) + cut
	}
	return -1
}
