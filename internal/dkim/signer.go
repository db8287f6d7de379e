package dkim

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	msgdkim "github.com/emersion/go-msgauth/dkim"
)

// signedFields are the header fields a signature covers: what RFC 6376
// §5.4.1 recommends, and the list headers Gmail and Yahoo want signed with
// the one-click unsubscribe. Each is over-signed (RFC 6376 §8.15): h=
// names it once more than the message has it, so the signature breaks
// when anyone adds one, where a field named once covers only its last
// instance and a second one added above it would go unnoticed. A field
// the message lacks is named once, so none can be added either.
var signedFields = []string{
	"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
	"List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Reply-To",
}

// A Signer signs messages with the keys of their From domain (relaxed
// header and body canonicalization, SHA-256): one signature per key, so
// an RSA and an Ed25519 key give every message both, and a receiver
// checks the one it knows. Its keys are read once, at start-up; it is
// safe for concurrent use.
type Signer struct {
	// Log, when set before the first Sign, gets one warning for each From
	// domain whose mail goes unsigned for want of a key.
	Log *slog.Logger

	byDomain map[string][]Key
	keys     []Key
	warned   sync.Map // domain → true, once warned of
}

// NewSigner returns a Signer that signs with keys, or, for a From domain
// in byDomain, with that domain's keys. It returns nil when it has no key
// at all: then nothing is signed, at no cost.
func NewSigner(keys []Key, byDomain map[string][]Key) *Signer {
	if len(keys) == 0 && len(byDomain) == 0 {
		return nil
	}
	s := &Signer{keys: keys, byDomain: make(map[string][]Key, len(byDomain))}
	for d, ks := range byDomain {
		s.byDomain[normalDomain(d)] = ks
	}
	return s
}

// Sign appends to dst the DKIM-Signature fields of msg followed by msg,
// with its line ends made CRLF first, and returns the result. The signing
// domain (d=) is the From domain, so the signature aligns with From for
// DMARC; a message of a domain it has no key for is appended unsigned
// (and Log warned, once for that domain).
// Nothing may change the message after this: not a header, not a byte of
// the body.
func (s *Signer) Sign(dst, msg []byte) ([]byte, error) {
	if !crlfOnly(msg) {
		msg = toCRLF(msg)
	}
	end := bytes.Index(msg, []byte("\r\n\r\n"))
	if end < 0 {
		return dst, errors.New("dkim: message has no header end")
	}
	counts, domain := scanHeader(msg[:end+2])
	if domain == "" {
		return dst, errors.New("dkim: message has no From address")
	}
	keys, ok := s.byDomain[domain]
	if !ok {
		keys = s.keys
	}
	if len(keys) == 0 {
		s.warnUnsigned(domain)
		return append(dst, msg...), nil
	}
	fields := make([]string, 0, 2*len(signedFields))
	for _, f := range signedFields {
		for range counts[strings.ToLower(f)] + 1 {
			fields = append(fields, f)
		}
	}
	for _, k := range keys {
		sig, err := sign(msg, k, domain, fields)
		if err != nil {
			return dst, fmt.Errorf("dkim: sign with %v: %w", k, err)
		}
		dst = append(dst, sig...)
	}
	return append(dst, msg...), nil
}

// warnUnsigned logs, once per domain, that its mail goes unsigned.
func (s *Signer) warnUnsigned(domain string) {
	if s.Log == nil {
		return
	}
	if _, seen := s.warned.LoadOrStore(domain, true); seen {
		return
	}
	fix := "make one with \"bulletin dkim keygen --domain " + domain + " --selector s1\" and publish the record it prints"
	if last := domain[strings.LastIndexByte(domain, '.')+1:]; strings.Trim(last, "0123456789]") == "" || last == domain {
		// localhost, an intranet name or an IP address: no DNS to publish
		// a key in, and keygen refuses it.
		fix = domain + " is not a domain on the internet: set the From address that uses it (the publication's, at /admin/settings or in BULLETIN_FROM, or a list's own) to one at your own domain first, then make its key with \"bulletin dkim keygen --selector s1\""
	}
	s.Log.Warn("no DKIM key for this From domain: its mail goes out unsigned, which Gmail and Yahoo junk or refuse; "+fix, "domain", domain)
}

// sign returns the DKIM-Signature field of msg under k.
func sign(msg []byte, k Key, domain string, fields []string) (string, error) {
	sg, err := msgdkim.NewSigner(&msgdkim.SignOptions{
		Domain:                 domain,
		Selector:               k.Selector,
		Signer:                 k.signer,
		Hash:                   crypto.SHA256,
		HeaderCanonicalization: msgdkim.CanonicalizationRelaxed,
		BodyCanonicalization:   msgdkim.CanonicalizationRelaxed,
		HeaderKeys:             fields,
	})
	if err != nil {
		return "", err
	}
	if _, err := sg.Write(msg); err != nil {
		sg.Close()
		return "", err
	}
	if err := sg.Close(); err != nil {
		return "", err
	}
	return sg.Signature(), nil
}

// scanHeader returns how many times each field occurs in head, a header
// block, by lower-cased name, and the lower-cased domain of its From
// address.
func scanHeader(head []byte) (map[string]int, string) {
	counts := make(map[string]int, 16)
	domain := ""
	for len(head) > 0 {
		n := bytes.Index(head, []byte("\r\n"))
		if n < 0 {
			n = len(head)
		}
		line := head[:n]
		head = head[min(n+2, len(head)):]
		if len(line) == 0 || line[0] == ' ' || line[0] == '\t' {
			continue // a continuation; From's is read below with its field
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		key := strings.ToLower(string(bytes.TrimSpace(name)))
		counts[key]++
		if key == "from" && domain == "" {
			for len(head) > 0 && (head[0] == ' ' || head[0] == '\t') {
				m := bytes.Index(head, []byte("\r\n"))
				if m < 0 {
					m = len(head)
				}
				value = append(append([]byte(nil), value...), head[:m]...)
				head = head[min(m+2, len(head)):]
			}
			domain = fromDomain(string(value))
		}
	}
	return counts, domain
}

// fromDomain returns the lower-cased domain of the address in a From
// value: after its last @ (a display name comes before the address, and
// an @ in a quoted or encoded name is further left), up to the end of
// the address.
func fromDomain(v string) string {
	i := strings.LastIndexByte(v, '@')
	if i < 0 {
		return ""
	}
	d := v[i+1:]
	if j := strings.IndexAny(d, "> \t;,()"); j >= 0 {
		d = d[:j]
	}
	return strings.ToLower(strings.TrimSuffix(d, "."))
}

// crlfOnly says every line of msg ends with CRLF, the last one included.
func crlfOnly(msg []byte) bool {
	if !bytes.HasSuffix(msg, []byte("\r\n")) {
		return false
	}
	n := bytes.Count(msg, []byte("\r\n"))
	return bytes.Count(msg, []byte("\n")) == n && bytes.Count(msg, []byte("\r")) == n
}

// toCRLF returns msg with every line ended by CRLF: bare LF and bare CR
// become CRLF, and an unended last line is ended, as SMTP will carry it.
func toCRLF(msg []byte) []byte {
	out := make([]byte, 0, len(msg)+len(msg)/32+2)
	for i := 0; i < len(msg); i++ {
		switch c := msg[i]; c {
		case '\r':
			out = append(out, '\r', '\n')
			if i+1 < len(msg) && msg[i+1] == '\n' {
				i++
			}
		case '\n':
			out = append(out, '\r', '\n')
		default:
			out = append(out, c)
		}
	}
	if !bytes.HasSuffix(out, []byte("\r\n")) {
		out = append(out, '\r', '\n')
	}
	return out
}
