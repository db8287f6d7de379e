package subscribers

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash"
	"math"
	"sync"
	"time"
)

// Token purposes. A token signed for one purpose never passes for another.
// TokenUnsubscribe ends every list; TokenUnsubscribeList, in the mail of
// one list, ends that list only (SignList).
const (
	TokenConfirm         = "confirm"
	TokenUnsubscribe     = "unsubscribe"
	TokenUnsubscribeList = "unsubscribe list"
	TokenPreferences     = "preferences"
)

// ErrBadToken is returned for a token that is malformed, altered, for
// another purpose or expired.
var ErrBadToken = errors.New("bad or expired token")

// A Signer makes and checks the signed tokens in mail links: the
// subscriber id, an expiry and the purpose, under HMAC-SHA256 with the
// installation's secret. Nothing is stored; a token cannot be altered or
// guessed, and is compared in constant time. The id and the expiry are
// sealed too (AES): readers' ids are given out in order, and a token that
// showed its id would tell anyone who signs up twice how many readers
// signed up in between.
type Signer struct {
	key   []byte
	block cipher.Block // seals the payload: ids are not for reading
	now   func() time.Time
	// macs keeps keyed HMACs for reuse: a campaign signs two links per
	// recipient, and keying a new HMAC costs more than the MAC itself.
	macs sync.Pool
}

// NewSigner returns a Signer keyed by secret.
func NewSigner(secret []byte) *Signer {
	// Derive a key for each use so the secret's other uses never share one.
	derive := func(use string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(use))
		return m.Sum(nil)
	}
	block, err := aes.NewCipher(derive("bulletin subscriber token seal v2")[:16])
	if err != nil {
		panic(err) // a 16-byte key is always an AES key
	}
	return &Signer{key: derive("bulletin subscriber tokens v1"), block: block, now: time.Now}
}

// A token is a payload of 12 bytes, 8 of id and 4 of expiry in unix hours
// (0 = never), and a MAC of the purpose and the payload. Sign writes one
// AES block of the payload and the MAC's first 4 bytes, then 11 more
// bytes of the MAC: 27 bytes, 36 characters, with 120 bits of MAC. Mail
// sent before tokens were sealed holds the payload as it is and then 16
// bytes of MAC: 28 bytes, 38 characters, still checked, since unsubscribe
// links must keep working in old mail.
const (
	payloadLen = 12
	macLen     = 16 // in a token of the first form, not sealed
	sealedMAC  = 15
	sealedLen  = payloadLen + sealedMAC // 27
)

// Sign returns a token for purpose and subscriber id, valid for ttl (0 =
// forever: unsubscribe links must keep working in old mail).
func (s *Signer) Sign(purpose string, id int64, ttl time.Duration) string {
	var exp uint32
	if ttl > 0 {
		exp = expiryHour(s.now(), ttl)
	}
	return s.seal(purpose, id, exp)
}

// expiryHour is the expiry, in unix hours, of a token Sign makes at t
// for ttl: the hour after the one t+ttl falls in, so that a token works
// for ttl at least (verify refuses it from the start of that hour).
func expiryHour(t time.Time, ttl time.Duration) uint32 {
	return uint32(t.Add(ttl).Unix()/3600 + 1)
}

// ConfirmLinkUntil is when the link of the confirmation mail flagged at
// sentAt stops working: Sign's expiry for ConfirmTTL, the hour rounded up
// as the link's token has it. The link is signed as the mail is composed,
// moments after sentAt, so a mail composed late in an hour may work for
// an hour more; never less.
func ConfirmLinkUntil(sentAt time.Time) time.Time {
	return time.Unix(int64(expiryHour(sentAt, ConfirmTTL))*3600, 0).UTC()
}

// SignList returns the unsubscribe token of subscriber id in the mail of
// list: it never expires, and its payload's last 4 bytes hold the list
// where other tokens hold their expiry (TokenUnsubscribeList is signed
// for nothing else). A list id past 32 bits, which no install reaches,
// gets the token that ends every list.
func (s *Signer) SignList(id, list int64) string {
	if list <= 0 || list > math.MaxUint32 {
		return s.Sign(TokenUnsubscribe, id, 0)
	}
	return s.seal(TokenUnsubscribeList, id, uint32(list))
}

// VerifyList returns the subscriber and the list of a token SignList made.
func (s *Signer) VerifyList(token string) (id, list int64, err error) {
	payload, ok := s.checked(TokenUnsubscribeList, token)
	if !ok {
		return 0, 0, ErrBadToken
	}
	id = int64(binary.BigEndian.Uint64(payload[:8]))
	list = int64(binary.BigEndian.Uint32(payload[8:12]))
	if id <= 0 || list <= 0 {
		return 0, 0, ErrBadToken
	}
	return id, list, nil
}

// seal makes a token of the sealed form for purpose of subscriber id and
// word, the expiry or the list.
func (s *Signer) seal(purpose string, id int64, word uint32) string {
	var plain [aes.BlockSize]byte
	binary.BigEndian.PutUint64(plain[:8], uint64(id))
	binary.BigEndian.PutUint32(plain[8:12], word)
	var sum [sha256.Size]byte
	mac := s.mac(sum[:0], purpose, plain[:payloadLen])
	copy(plain[payloadLen:], mac)
	var buf [sealedLen]byte
	s.block.Encrypt(buf[:aes.BlockSize], plain[:])
	copy(buf[aes.BlockSize:], mac[aes.BlockSize-payloadLen:sealedMAC])
	return base64.RawURLEncoding.EncodeToString(buf[:])
}

// tokenEncoding decodes a token from its one spelling: unpadded base64url
// whose unused trailing bits are zero, as Sign writes it. A link is then
// one string per token, and a cache, a log or a rate limit keyed on links
// cannot be walked around by respelling one.
var tokenEncoding = base64.RawURLEncoding.Strict()

// TokenShaped reports whether s has the length of a token Sign makes, as
// a link's token cut from text with a character too many has once that
// character is taken off. It says nothing of whether s is valid.
func TokenShaped(s string) bool {
	return len(s) == base64.RawURLEncoding.EncodedLen(sealedLen) || len(s) == base64.RawURLEncoding.EncodedLen(payloadLen+macLen)
}

// Verify returns the subscriber id of a token signed for purpose.
func (s *Signer) Verify(purpose, token string) (int64, error) {
	id, _, err := s.verify(purpose, token)
	return id, err
}

// verify returns the subscriber id of a token signed for purpose and the
// hour it expires (unix hours, 0 = never).
func (s *Signer) verify(purpose, token string) (int64, uint32, error) {
	payload, ok := s.checked(purpose, token)
	if !ok {
		return 0, 0, ErrBadToken
	}
	exp := binary.BigEndian.Uint32(payload[8:12])
	if exp != 0 && s.now().Unix()/3600 >= int64(exp) {
		return 0, 0, ErrBadToken
	}
	id := int64(binary.BigEndian.Uint64(payload[:8]))
	if id <= 0 {
		return 0, 0, ErrBadToken
	}
	return id, exp, nil
}

// checked returns the payload of token once its MAC for purpose is
// checked, in constant time.
func (s *Signer) checked(purpose, token string) ([]byte, bool) {
	payload, given, ok := s.open(token)
	if !ok {
		return nil, false
	}
	var sum [sha256.Size]byte
	if !hmac.Equal(given, s.mac(sum[:0], purpose, payload)[:len(given)]) {
		return nil, false
	}
	return payload, true
}

// open returns the payload of a token of either form, of the right length
// and spelling, and the MAC it carries, neither checked yet.
func (s *Signer) open(token string) (payload, mac []byte, ok bool) {
	var n int
	switch len(token) {
	case base64.RawURLEncoding.EncodedLen(sealedLen):
		n = sealedLen
	case base64.RawURLEncoding.EncodedLen(payloadLen + macLen):
		n = payloadLen + macLen
	default:
		return nil, nil, false
	}
	buf, err := tokenEncoding.DecodeString(token)
	if err != nil || len(buf) != n {
		return nil, nil, false
	}
	if n != sealedLen {
		return buf[:payloadLen], buf[payloadLen:], true
	}
	plain := make([]byte, aes.BlockSize, aes.BlockSize+sealedMAC)
	s.block.Decrypt(plain, buf[:aes.BlockSize])
	return plain[:payloadLen], append(plain[payloadLen:], buf[aes.BlockSize:]...), true
}

// claimedID returns the subscriber id a token names, before its MAC is
// checked: only to look up what the token must then be verified against.
func (s *Signer) claimedID(token string) (int64, bool) {
	payload, _, ok := s.open(token)
	if !ok {
		return 0, false
	}
	id := int64(binary.BigEndian.Uint64(payload[:8]))
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
