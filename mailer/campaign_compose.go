package mailer

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"unicode/utf8"
)

// From returns the envelope sender of the campaign's messages.
func (cm *CampaignMessage) From() string { return cm.from }

// Compose appends the message for p to dst and returns it.
func (cm *CampaignMessage) Compose(dst []byte, p Personal) ([]byte, error) {
	if err := checkPersonal(p); err != nil {
		return dst, err
	}
	return cm.compose(dst, p), nil
}

// Check reports whether Compose would refuse p.
func (cm *CampaignMessage) Check(p Personal) error { return checkPersonal(p) }

// For returns p's message as a Composer, to be composed when it is sent;
// p must have passed Check.
func (cm *CampaignMessage) For(p Personal) Composer { return &personalMessage{cm, p} }

type personalMessage struct {
	cm *CampaignMessage
	p  Personal
}

func (m *personalMessage) AppendTo(dst []byte) []byte {
	if m.cm.signer != nil {
		return m.cm.signed(dst, m.p)
	}
	return m.cm.compose(dst, m.p)
}

// crlfOnly implements crlfComposer.
func (m *personalMessage) crlfOnly() bool { return m.cm.crlf }

func (cm *CampaignMessage) compose(dst []byte, p Personal) []byte {
	if dst == nil {
		dst = make([]byte, 0, cm.size+512)
	}
	hp := headBufs.Get().(*[]byte)
	hb := (*hp)[:0]
	for _, pc := range cm.head {
		hb = append(hb, pc.lit...)
		switch Field(pc.field) {
		case -1:
		case to:
			a := &mail.Address{Name: p.Name, Address: p.Email}
			if p.To != "" {
				a = &mail.Address{Address: p.To}
			}
			hb = append(hb, addressString(a)...)
		case messageID:
			hb = appendMessageID(hb, p.MessageID, cm.domain)
		default:
			hb = append(hb, value(Field(pc.field), p)...)
		}
	}
	hb = append(hb, "\r\n"...)
	dst = appendFolded(dst, hb)
	*hp = hb
	headBufs.Put(hp)
	skip := false // inside the side of a fallback that is not p's
	rule := ""    // inside a rule: its character (see Markers.Rules)
	for i := 0; i < len(cm.body); i++ {
		pc := &cm.body[i]
		if pc.wrap > 0 && !skip && rule == "" {
			if w := cm.wraps[pc.wrap-1]; w.overflows(p) {
				dst = w.appendTo(dst, p, cm.marks)
				i += w.pieces - 1
				continue
			}
		}
		if !skip {
			dst = append(dst, pc.lit...)
		}
		switch f := Field(pc.field); {
		case f < 0:
		case f >= IfName && f <= EndName:
			skip = skipAfter(f, p.Name != "")
			// A soft line break, unless the literal after it starts a
			// new line and is written.
			dst = appendField(dst, "", pc.col, pc.eol && !skip)
		case f >= Rule && f <= EndRule:
			rule = ruleOf(f)
			dst = appendField(dst, "", pc.col, pc.eol && !skip)
		case !skip:
			v := value(f, p)
			switch {
			case rule != "":
				// The field's part of the rule under a heading holding
				// it: as long as the value the heading shows.
				v = strings.Repeat(rule, utf8.RuneCountInString(v))
			case pc.html:
				v = cm.escape(v)
			}
			dst = appendField(dst, v, pc.col, pc.eol)
		}
	}
	return dst
}

// ruleOf is the character of the rule marker f starts, or "" for the
// one that ends a rule.
func ruleOf(f Field) string {
	switch f {
	case Rule:
		return "="
	case RuleDash:
		return "-"
	}
	return ""
}

// headBufs hold the unfolded header blocks of messages being composed:
// one per connection at a time, reused rather than allocated per message.
var headBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// appendMessageID appends the Message-ID <left@domain>; without left, a
// unique one, as NewMessageID makes them for the address x@domain,
// without its intermediate strings.
func appendMessageID(dst []byte, left, domain string) []byte {
	dst = append(dst, '<')
	if left != "" {
		dst = append(dst, left...)
	} else {
		var b [16]byte
		rand.Read(b[:])
		dst = hex.AppendEncode(dst, b[:])
	}
	dst = append(dst, '@')
	dst = append(dst, domain...)
	return append(dst, '>')
}

// appendFolded appends head, a header block of unfolded lines ending in
// an empty one, to dst, each line folded (appendFoldedLine); it copies
// each line once instead of building strings.
func appendFolded(dst, head []byte) []byte {
	for len(head) > 0 {
		n := bytes.Index(head, []byte("\r\n"))
		if n < 0 {
			return append(dst, head...)
		}
		dst = appendFoldedLine(dst, head[:n])
		head = head[n+2:]
	}
	return dst
}

// appendField appends a field's value quoted-printable encoded at column
// col. Short printable ASCII, the common case, goes in as it is when the
// line stays within 76 octets; anything else gets lines of its own, between
// soft line breaks.
func appendField(dst []byte, v string, col int, eol bool) []byte {
	if v == "" && bytes.HasSuffix(dst, []byte("\r\n")) {
		// Nothing to write at the start of a line (a fallback's marker
		// after a soft line break): a soft line break here would be a
		// line of only "=".
		return dst
	}
	plain := len(v) <= 72
	for i := 0; plain && i < len(v); i++ {
		if c := v[i]; c < ' ' || c > '~' || c == '=' {
			plain = false
		}
	}
	if !plain {
		dst = append(dst, "=\r\n"...)
		dst = append(dst, qpEncode(v)...)
		return append(dst, "=\r\n"...)
	}
	if col+len(v) > 75 {
		dst = append(dst, "=\r\n"...)
		col = 0
	}
	dst = append(dst, v...)
	if eol && col+len(v) <= 76 && (v == "" || v[len(v)-1] != ' ') {
		return dst
	}
	return append(dst, "=\r\n"...)
}

// checkPersonal refuses fields that could break out of their place: an
// address with line breaks or separators, tokens outside base64url.
func checkPersonal(p Personal) error {
	if badAddress(p.Email) {
		return fmt.Errorf("compose: bad address %q", p.Email)
	}
	if p.To != "" && badAddress(p.To) {
		return fmt.Errorf("compose: bad address %q", p.To)
	}
	for _, t := range []string{p.Unsubscribe, p.Preferences, p.Reader, p.Link} {
		for i := 0; i < len(t); i++ {
			c := t[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return fmt.Errorf("compose: bad token %q", t)
			}
		}
	}
	if !messageIDLeft(p.MessageID) {
		return fmt.Errorf("compose: bad Message-ID left side %q", p.MessageID)
	}
	return nil
}

// badAddress reports whether a could break out of its place in a header
// or a part: it has a line break or a separator, or no "@".
func badAddress(a string) bool {
	return hasBreak(a) || strings.ContainsAny(a, ", \t<>\"") || !strings.Contains(a, "@")
}

// messageIDLeft reports whether s may be the left side of a Message-ID
// Bulletin writes: empty, or up to 64 letters, digits and "+-_.", not
// starting or ending with a dot (RFC 5322's dot-atom-text, narrowed).
func messageIDLeft(s string) bool {
	if len(s) > 64 || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
