package mailer

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

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
	e.Subject = oneLine(m.Subject)
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

// withAddresses returns raw, the library's message, with fields (From and
// To) first and the empty From field the library always writes taken out.
func withAddresses(raw []byte, fields string) []byte {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		return raw
	}
	out := make([]byte, 0, len(raw)+len(fields))
	out = append(out, fields...)
	for head := raw[:end+2]; len(head) > 0; {
		n := bytes.Index(head, []byte("\r\n")) + 2
		// A continuation line starts with a space: only the field itself
		// starts with its name.
		if !bytes.HasPrefix(head, []byte("From:")) {
			out = append(out, head[:n]...)
		}
		head = head[n:]
	}
	return append(out, raw[end+2:]...)
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

// addressString formats a for a header, dropping control characters from
// the display name, so no line break gets in; mail.Address quotes a name
// with specials such as a comma and encodes a non-ASCII one per RFC 2047.
func addressString(a *mail.Address) string {
	name := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, a.Name)
	return (&mail.Address{Name: name, Address: a.Address}).String()
}

func hasBreak(s string) bool { return strings.ContainsAny(s, "\r\n") }

// oneLine replaces line breaks and other control characters with spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// foldHeaders folds header lines longer than 78 octets at spaces, as RFC
// 5322 asks, leaving the body alone.
func foldHeaders(raw []byte) []byte {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		return raw
	}
	var out bytes.Buffer
	out.Grow(len(raw) + 64)
	for _, line := range strings.Split(string(raw[:end]), "\r\n") {
		for len(line) > 78 {
			cut := foldPoint(line)
			if cut < 0 {
				break // nothing to fold at; lines up to 998 octets are legal
			}
			out.WriteString(line[:cut])
			out.WriteString("\r\n")
			line = line[cut:] // keeps the space, which starts the continuation
		}
		out.WriteString(line)
		out.WriteString("\r\n")
	}
	out.Write(raw[end+2:])
	return out.Bytes()
}

// foldPoint returns where to fold line: the last space within 78 octets
// that has text before it (not the one after the field name), else the
// first space after that, else -1.
func foldPoint(line string) int {
	start := strings.IndexByte(line, ':') + 2 // past "Name: "
	if start < 2 || start >= len(line) {
		start = 1
	}
	if cut := strings.LastIndexByte(line[:78], ' '); cut > start {
		return cut
	}
	if cut := strings.IndexByte(line[max(start, 78):], ' '); cut >= 0 {
		return max(start, 78) + cut
	}
	return -1
}
