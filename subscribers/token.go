package subscribers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash"
	"sync"
	"time"
)

// Token purposes. A token signed for one purpose never passes for another.
const (
	TokenConfirm     = "confirm"
	TokenUnsubscribe = "unsubscribe"
	TokenPreferences = "preferences"
)

// ErrBadToken is returned for a token that is malformed, altered, for
// another purpose or expired.
var ErrBadToken = errors.New("bad or expired token")

// A Signer makes and checks the signed tokens in mail links: the
// subscriber id, an expiry and the purpose, under HMAC-SHA256 with the
// installation's secret. Nothing is stored; a token cannot be altered or
// guessed, and is compared in constant time.
type Signer struct {
	key []byte
	now func() time.Time
	// macs keeps keyed HMACs for reuse: a campaign signs two links per
	// recipient, and keying a new HMAC costs more than the MAC itself.
	macs sync.Pool
}

// NewSigner returns a Signer keyed by secret.
func NewSigner(secret []byte) *Signer {
	// Derive a key for tokens so the secret's other uses never share one.
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("bulletin subscriber tokens v1"))
	return &Signer{key: m.Sum(nil), now: time.Now}
}

// tokenLen is the payload: 8 bytes of id and 4 of expiry in unix hours
// (0 = never); the first 16 bytes of the MAC follow.
const (
	payloadLen = 12
	macLen     = 16
)

// Sign returns a token for purpose and subscriber id, valid for ttl (0 =
// forever: unsubscribe links must keep working in old mail).
func (s *Signer) Sign(purpose string, id int64, ttl time.Duration) string {
	var buf [payloadLen + macLen]byte
	binary.BigEndian.PutUint64(buf[:8], uint64(id))
	if ttl > 0 {
		binary.BigEndian.PutUint32(buf[8:12], uint32(s.now().Add(ttl).Unix()/3600+1))
	}
	var sum [sha256.Size]byte
	copy(buf[payloadLen:], s.mac(sum[:0], purpose, buf[:payloadLen]))
	return base64.RawURLEncoding.EncodeToString(buf[:])
}

// tokenEncoding decodes a token from its one spelling: unpadded base64url
// whose unused trailing bits are zero, as Sign writes it. A link is then
// one string per token, and a cache, a log or a rate limit keyed on links
// cannot be walked around by respelling one.
var tokenEncoding = base64.RawURLEncoding.Strict()

// Verify returns the subscriber id of a token signed for purpose.
func (s *Signer) Verify(purpose, token string) (int64, error) {
	id, _, err := s.verify(purpose, token)
	return id, err
}

// verify returns the subscriber id of a token signed for purpose and the
// hour it expires (unix hours, 0 = never).
func (s *Signer) verify(purpose, token string) (int64, uint32, error) {
	buf, ok := decodeToken(token)
	if !ok {
		return 0, 0, ErrBadToken
	}
	var sum [sha256.Size]byte
	if !hmac.Equal(buf[payloadLen:], s.mac(sum[:0], purpose, buf[:payloadLen])) {
		return 0, 0, ErrBadToken
	}
	exp := binary.BigEndian.Uint32(buf[8:12])
	if exp != 0 && s.now().Unix()/3600 >= int64(exp) {
		return 0, 0, ErrBadToken
	}
	id := int64(binary.BigEndian.Uint64(buf[:8]))
	if id <= 0 {
		return 0, 0, ErrBadToken
	}
	return id, exp, nil
}

// decodeToken returns the bytes of a token of the right length and
// spelling, not yet checked.
func decodeToken(token string) ([]byte, bool) {
	if len(token) != base64.RawURLEncoding.EncodedLen(payloadLen+macLen) {
		return nil, false
	}
	buf, err := tokenEncoding.DecodeString(token)
	return buf, err == nil && len(buf) == payloadLen+macLen
}

// claimedID returns the subscriber id a token names, before its MAC is
// checked: only to look up what the token must then be verified against.
func claimedID(token string) (int64, bool) {
	buf, ok := decodeToken(token)
	if !ok {
		return 0, false
	}
	id := int64(binary.BigEndian.Uint64(buf[:8]))
	return id, id > 0
}

// mac appends the truncated MAC of purpose and payload to dst.
func (s *Signer) mac(dst []byte, purpose string, payload []byte) []byte {
	m, ok := s.macs.Get().(hash.Hash)
	if !ok {
		m = hmac.New(sha256.New, s.key)
	}
	m.Reset()
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write(payload)
	dst = m.Sum(dst)[:len(dst)+macLen]
	s.macs.Put(m)
	return dst
}
