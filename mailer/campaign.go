package mailer

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
)

// Personal is what differs from one recipient of a campaign to the next.
type Personal struct {
	Email       string
	Name        string
	Unsubscribe string // token, URL-safe
	Preferences string // token, URL-safe
	// Reader is the tracking token of the recipient's delivery, URL-safe:
	// it ends each tracked link and names the open pixel.
	Reader string
	// Link is the token of a link of the reader's own, URL-safe: the one
	// a confirmation asks them to follow.
	Link string
	// MessageID, when set, is the left side of the message's Message-ID
	// (the right side is the From domain): the local part of the
	// delivery's VERP address, so that a report quoting only the
	// Message-ID (Mailgun's, SendGrid's smtp-id) names the delivery, and
	// a copy sent again is the same message to the receiver. Empty, the
	// left side is random.
	MessageID string
	// To, when set, is the address the message goes to, which its To
	// header names alone, in place of Name and Email: those are then a
	// sample reader's, for the body only (a test send, which goes to an
	// editor and reads as the preview does).
	To string
}

// A CampaignMessage is a campaign's message composed once, with
// jordan-wright/email, around placeholders; Compose fills them in for each
// recipient without composing again. The output is the library's message
// with the fields in place: quoted-printable parts, folded headers.
type CampaignMessage struct {
	mk     [numFields]string // the markers, by field
	marks  Markers           // the set mk is
	from   string            // the envelope sender
	domain string            // right side of Message-IDs
	head   []piece
	body   []piece
	size   int // of the literal parts, to size each message's buffer
	// crlf says every message has CRLF line ends only and ends with one,
	// so dot-stuffing it need only look for lines starting with a dot.
	crlf bool
	// signer, when set, signs each message as it is composed (dkim.go).
	signer Signer
	// escape escapes a field in an HTML part.
	escape func(string) string
	// wraps are the text part's paragraphs holding the name or the
	// address, wrapped again for a reader whose name or address makes a
	// line of one too long.
	wraps []*textWrap
}

// A piece is literal bytes followed, when field ≥ 0, by a field encoded
// for its part.
type piece struct {
	lit   []byte
	field int
	html  bool // the field sits in an HTML part and is escaped
	col   int  // the encoded column at the end of lit
	eol   bool // the literal after the field starts a new line
	// wrap, when not 0, is 1 + the index in wraps of the paragraph this
	// piece starts.
	wrap int
}

// CampaignContent is a campaign's shared content. HTML and Text may hold
// the markers of the fields; Subject holds none.
type CampaignContent struct {
	From    *mail.Address
	Subject string
	HTML    string
	Text    string
	// Headers are extra fields; values may hold the Unsubscribe marker.
	Headers [][2]string
	Date    time.Time
	// Markers are the ones HTML, Text and Headers were rendered with.
	Markers Markers
	// EscapeHTML, when set, escapes a field in the HTML part in place of
	// html.EscapeString: for content rendered by html/template, whose
	// escaping of the same value it must match.
	EscapeHTML func(string) string
}

// NewCampaignMessage composes c once with markers for the fields.
func NewCampaignMessage(c CampaignContent) (*CampaignMessage, error) {
	mk := c.Markers.all()
	toAddr := mk[to] + "@placeholder.invalid"
	m := &Message{
		From:      c.From,
		To:        &mail.Address{Address: toAddr},
		Subject:   c.Subject,
		Text:      c.Text,
		HTML:      c.HTML,
		Headers:   c.Headers,
		MessageID: "<" + mk[messageID] + "@x>",
		Date:      c.Date,
	}
	raw, err := m.Compose()
	if err != nil {
		return nil, err
	}
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		return nil, errors.New("compose campaign: no header end")
	}
	cm := &CampaignMessage{mk: mk, marks: c.Markers, from: c.From.Address, domain: "localhost", escape: c.EscapeHTML}
	if cm.escape == nil {
		cm.escape = html.EscapeString
	}
	if i := strings.LastIndexByte(c.From.Address, '@'); i >= 0 {
		cm.domain = c.From.Address[i+1:]
	}
	head := unfold(string(raw[:end+2]))
	head = strings.Replace(head, "<"+mk[messageID]+"@x>", mk[messageID], 1)
	head = strings.Replace(head, "<"+toAddr+">", mk[to], 1)
	cm.head = cm.splitHead(head)
	boundary, err := boundaryOf(head)
	if err != nil {
		return nil, err
	}
	if cm.body, err = cm.compileBody(raw[end+4:], boundary); err != nil {
		return nil, err
	}
	markColumns(cm.body)
	for _, pc := range append(cm.head, cm.body...) {
		cm.size += len(pc.lit) + 64
	}
	cm.crlf = crlfOnly(cm.body)
	return cm, nil
}

// crlfOnly says the literal parts have no bare CR or LF and the last one
// ends the message with CRLF. The fields filled in between hold neither
// (checkPersonal, oneLine, quoted-printable), nor does the folded header
// block, so every message composed is then CRLF-clean.
func crlfOnly(body []piece) bool {
	if len(body) == 0 || !bytes.HasSuffix(body[len(body)-1].lit, []byte("\r\n")) {
		return false
	}
	for _, pc := range body {
		n := bytes.Count(pc.lit, []byte("\r\n"))
		if bytes.Count(pc.lit, []byte("\n")) != n || bytes.Count(pc.lit, []byte("\r")) != n {
			return false
		}
	}
	return true
}

// unfold joins folded header lines, so fields can be filled in and the
// result folded again for its real length.
func unfold(head string) string {
	return strings.NewReplacer("\r\n ", " ", "\r\n\t", "\t").Replace(head)
}

// splitHead cuts the header block at its markers: To, Message-ID and
// the Unsubscribe token of List-Unsubscribe.
func (cm *CampaignMessage) splitHead(head string) []piece {
	var out []piece
	for head != "" {
		i, f := cm.nextField(head, numFields)
		if i < 0 {
			out = append(out, piece{lit: []byte(head), field: -1})
			break
		}
		out = append(out, piece{lit: []byte(head[:i]), field: int(f)})
		head = head[i+len(cm.mk[f]):]
	}
	return out
}

// nextField finds the first marker of a field below end in s: its index
// and field, or -1.
func (cm *CampaignMessage) nextField(s string, end Field) (int, Field) {
	at, field := -1, Field(-1)
	for f := range end {
		if i := strings.Index(s, cm.mk[f]); i >= 0 && (at < 0 || i < at) {
			at, field = i, f
		}
	}
	return at, field
}

// boundaryOf returns the multipart boundary of the unfolded header block.
func boundaryOf(head string) (string, error) {
	for _, line := range strings.Split(head, "\r\n") {
		name, value, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(name, "Content-Type") {
			_, params, err := mime.ParseMediaType(strings.TrimSpace(value))
			if err == nil && params["boundary"] != "" {
				return params["boundary"], nil
			}
		}
	}
	return "", errors.New("compose campaign: not multipart")
}

// compileBody splits the multipart body at the placeholders inside its
// quoted-printable parts. Each part is decoded, cut, and its literal runs
// encoded again, each ending in a soft line break, so that no placeholder
// is ever split by one and every field starts on a fresh encoded line.
func (cm *CampaignMessage) compileBody(body []byte, boundary string) ([]piece, error) {
	delim := []byte("--" + boundary)
	var out []piece
	var lit []byte
	for {
		i := bytes.Index(body, delim)
		if i < 0 {
			return nil, errors.New("compose campaign: unterminated multipart")
		}
		lit = append(lit, body[:i+len(delim)]...)
		body = body[i+len(delim):]
		if bytes.HasPrefix(body, []byte("--")) {
			out = append(out, piece{lit: append(lit, body...), field: -1})
			return out, nil
		}
		hend := bytes.Index(body, []byte("\r\n\r\n"))
		next := bytes.Index(body, append([]byte("\r\n"), delim...))
		if hend < 0 || next < hend {
			return nil, errors.New("compose campaign: bad part")
		}
		partHead := body[:hend+4]
		lit = append(lit, partHead...)
		decoded, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body[hend+4 : next])))
		if err != nil {
			return nil, fmt.Errorf("compose campaign: %w", err)
		}
		isHTML := bytes.Contains(bytes.ToLower(partHead), []byte("text/html"))
		var pieces []piece
		pieces, lit = cm.splitPart(lit, string(decoded), isHTML)
		out = append(out, pieces...)
		lit = append(lit, "\r\n"...)
		body = body[next+2:]
	}
}

// markColumns notes, for each field, the column it starts at and whether
// a line break follows it, so short values need no soft line breaks.
func markColumns(ps []piece) {
	for i := range ps {
		ps[i].col = len(ps[i].lit) - bytes.LastIndexByte(ps[i].lit, '\n') - 1
		if i+1 < len(ps) {
			ps[i].eol = bytes.HasPrefix(ps[i+1].lit, []byte("\r\n"))
		}
	}
}

// splitPart encodes one decoded part, cutting it at the markers of the
// body's fields, and a text part at its marked paragraphs too, each of
// which starts a piece and ends one, for Compose to replace when it
// wraps it again (textWrap). lit is the literal run so far; the trailing
// literal run is returned.
func (cm *CampaignMessage) splitPart(lit []byte, s string, isHTML bool) ([]piece, []byte) {
	if isHTML { // its preheader, from the text part, has the marks
		return cm.splitFields(lit, unmark(cm.marks, s), true)
	}
	var out []piece
	for _, seg := range textSegments(cm.marks, s) {
		var ps []piece
		if seg.wrap == nil {
			ps, lit = cm.splitFields(lit, seg.text, false)
			out = append(out, ps...)
			continue
		}
		if len(lit) > 0 {
			out = append(out, piece{lit: lit, field: -1})
		}
		ps, lit = cm.splitFields(nil, seg.text, false)
		ps = append(ps, piece{lit: lit, field: -1})
		lit = nil
		cm.wraps = append(cm.wraps, seg.wrap)
		seg.wrap.pieces = len(ps)
		ps[0].wrap = len(cm.wraps)
		out = append(out, ps...)
	}
	return out, lit
}

// splitFields encodes s, cutting it at the markers of the body's fields.
func (cm *CampaignMessage) splitFields(lit []byte, s string, isHTML bool) ([]piece, []byte) {
	var out []piece
	for {
		i, f := cm.nextField(s, messageID)
		if i < 0 {
			return out, append(lit, qpEncode(s)...)
		}
		lit = append(lit, qpEncode(s[:i])...)
		out = append(out, piece{lit: lit, field: int(f), html: isHTML})
		lit = nil
		s = s[i+len(cm.mk[f]):]
	}
}

func qpEncode(s string) []byte {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	io.WriteString(w, s)
	w.Close()
	return b.Bytes()
}
