// Package tracking counts what readers do with a message: the links they
// follow and, where a list asks for it, the messages they open.
//
// A tracked link is BASE/r/LINK.READER (SPEC §7). LINK names one link of a
// campaign (the campaign and the link's index in it) and is made once when
// the campaign is rendered; READER names one delivery of that campaign and
// is made once per recipient at fan-out, beside the unsubscribe token. Both
// are signed with a key derived from the installation's secret, and READER's
// signature covers the campaign too, so neither can be altered, swapped
// between campaigns or guessed. A link without a reader (".READER" left
// out, as in the web archive or a test send) is still valid: it counts a
// click tied to no delivery. The open pixel is BASE/o/READER.gif.
//
// Tokens carry ids only, never an address, and sealed (package seal): a
// reader cannot count from them how many campaigns or messages went out.
// The URL a link goes to is never in the token: the redirect looks it up
// by (campaign, index), so a forged token could at worst count a click,
// never send a reader elsewhere. Tokens of mail sent before they were
// sealed, their ids readable, are still taken.
package tracking

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash"
	"strings"
	"sync"

	"github.com/bulletinhq/bulletin/internal/seal"
)

// ErrBadToken is returned for a token that is malformed or altered.
var ErrBadToken = errors.New("tracking: bad token")

// macLen is the length of each part's signature: 64 bits, enough that a
// forged click is out of reach, short enough for a URL.
const macLen = 8

// Part tags: a signature for one kind of part never passes for another.
const (
	tagLink   = 'l'
	tagReader = 'r'
)

// A Signer makes and checks link and reader tokens.
type Signer struct {
	key  []byte
	seal *seal.Sealer
	macs sync.Pool // keyed HMACs, reused: keying costs more than a MAC
}

// NewSigner returns a Signer keyed by the installation's secret.
func NewSigner(secret []byte) *Signer {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("bulletin tracking tokens v1"))
	s := &Signer{key: m.Sum(nil), seal: seal.New(secret, "bulletin tracking token seal v2")}
	s.macs.New = func() any { return hmac.New(sha256.New, s.key) }
	return s
}

// Link returns the token of link index (0-based, in the order of the
// message's links) of campaign.
func (s *Signer) Link(campaign int64, index int) string {
	return s.encode(tagLink, uint64(campaign), uint64(index))
}

// Reader returns the token of delivery, one of campaign's.
func (s *Signer) Reader(campaign, delivery int64) string {
	return s.encode(tagReader, uint64(campaign), uint64(delivery))
}

// A Click is what a checked /r/ token names. Delivery is 0 for a link
// without a reader part.
type Click struct {
	Campaign int64
	Index    int
	Delivery int64
}

// ParseClick checks the token of a /r/ URL: LINK or LINK.READER, whose
// campaigns must agree.
func (s *Signer) ParseClick(token string) (Click, error) {
	link, reader, hasReader := strings.Cut(token, ".")
	campaign, index, err := s.decode(tagLink, link)
	if err != nil || index > 1<<20 {
		return Click{}, ErrBadToken
	}
	c := Click{Campaign: int64(campaign), Index: int(index)}
	if !hasReader {
		return c, nil
	}
	rc, delivery, err := s.decode(tagReader, reader)
	if err != nil || rc != campaign || delivery == 0 {
		return Click{}, ErrBadToken
	}
	c.Delivery = int64(delivery)
	return c, nil
}

// ParseReader checks a READER token, as in the open pixel's URL, and
// returns its campaign and delivery.
func (s *Signer) ParseReader(token string) (campaign, delivery int64, err error) {
	c, d, err := s.decode(tagReader, token)
	if err != nil || d == 0 {
		return 0, 0, ErrBadToken
	}
	return int64(c), int64(d), nil
}

// encode writes tag's part: two uvarints, sealed, and the MAC of tag and
// them, base64url without padding (letters, digits, '-' and '_': never a
// '.').
func (s *Signer) encode(tag byte, a, b uint64) string {
	var buf [2*binary.MaxVarintLen64 + macLen]byte
	n := binary.PutUvarint(buf[:], a)
	n += binary.PutUvarint(buf[n:], b)
	copy(buf[n:], s.mac(tag, buf[:n]))
	s.seal.XOR(buf[:n], buf[n:n+macLen])
	return base64.RawURLEncoding.EncodeToString(buf[:n+macLen])
}

func (s *Signer) decode(tag byte, part string) (a, b uint64, err error) {
	if len(part) == 0 || len(part) > 40 {
		return 0, 0, ErrBadToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil || len(raw) < 2+macLen {
		return 0, 0, ErrBadToken
	}
	// The canonical encoding only: another spelling of the same ids would
	// be a second token for one link.
	if base64.RawURLEncoding.EncodeToString(raw) != part {
		return 0, 0, ErrBadToken
	}
	sealed, sig := raw[:len(raw)-macLen], raw[len(raw)-macLen:]
	var open [2 * binary.MaxVarintLen64]byte
	n := copy(open[:], sealed)
	s.seal.XOR(open[:n], sig)
	// Sealed, or as mail sent before tokens were sealed holds it.
	for _, payload := range [][]byte{open[:n], sealed} {
		if a, b, ok := twoUvarints(payload); ok && hmac.Equal(sig, s.mac(tag, payload)) {
			return a, b, nil
		}
	}
	return 0, 0, ErrBadToken
}

// twoUvarints reads the two uvarints payload holds, and nothing more.
func twoUvarints(payload []byte) (a, b uint64, ok bool) {
	a, n := binary.Uvarint(payload)
	if n <= 0 {
		return 0, 0, false
	}
	b, m := binary.Uvarint(payload[n:])
	return a, b, m > 0 && n+m == len(payload)
}

func (s *Signer) mac(tag byte, payload []byte) []byte {
	m := s.macs.Get().(hash.Hash)
	m.Reset()
	m.Write([]byte{tag})
	m.Write(payload)
	var sum [sha256.Size]byte
	out := m.Sum(sum[:0])[:macLen]
	s.macs.Put(m)
	return out
}
