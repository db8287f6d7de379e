// Package bounces names the deliveries that bounce: each message goes out
// from its own envelope sender on the bounce domain (VERP), from which a
// bounce sent back to it names the campaign and subscriber.
package bounces

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"hash"
	"strings"
	"sync"
)

// ErrBadVERP is returned for an address that is not a VERP address of
// this installation and bounce domain, or whose token was altered.
var ErrBadVERP = errors.New("not a VERP address of this installation")

// A Delivery is what a VERP address names.
type Delivery struct {
	CampaignID   int64
	SubscriberID int64
}

// localPrefix starts the local part of every VERP address.
const localPrefix = "bounce+"

// macLen is the octets of HMAC-SHA256 kept: 80 bits, which no one guesses
// by mailing bounces.
const macLen = 10

// tokenEncoding is base32 in lower case without padding: some MTAs
// lower-case local parts, which base64 would not survive.
var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// A VERP makes and checks the envelope senders of deliveries:
// bounce+TOKEN@DOMAIN, where TOKEN is the campaign and subscriber ids as
// varints and a truncated HMAC of them under the installation's secret.
// The local part is at most 55 octets (RFC 5321 allows 64) and checked
// without a database read, in constant time.
type VERP struct {
	key    []byte
	domain string
	macs   sync.Pool
}

// NewVERP returns a VERP for addresses on domain, keyed by secret.
func NewVERP(secret []byte, domain string) *VERP {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("bulletin verp v1"))
	return &VERP{key: m.Sum(nil), domain: strings.ToLower(strings.TrimSuffix(domain, "."))}
}

// Domain returns the bounce domain, lower case.
func (v *VERP) Domain() string { return v.domain }

// Address returns the VERP address of a delivery.
func (v *VERP) Address(campaignID, subscriberID int64) string {
	var buf [2*binary.MaxVarintLen64 + sha256.Size]byte
	n := binary.PutUvarint(buf[:], uint64(campaignID))
	n += binary.PutUvarint(buf[n:], uint64(subscriberID))
	tok := v.mac(buf[:n], buf[:n])
	return localPrefix + tokenEncoding.EncodeToString(tok[:n+macLen]) + "@" + v.domain
}

// Parse returns the delivery a VERP address names: addr may be in angle
// brackets and in any case. Anything else is ErrBadVERP.
func (v *VERP) Parse(addr string) (Delivery, error) {
	addr = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(addr), "<"), ">"))
	local, domain, ok := strings.Cut(addr, "@")
	tok, ok2 := strings.CutPrefix(local, localPrefix)
	if !ok || !ok2 || domain != v.domain || len(local) > 64 {
		return Delivery{}, ErrBadVERP
	}
	buf, err := tokenEncoding.DecodeString(tok)
	// One spelling per token: other trailing bits re-encode differently.
	if err != nil || len(buf) <= macLen || subtle.ConstantTimeCompare([]byte(tokenEncoding.EncodeToString(buf)), []byte(tok)) != 1 {
		return Delivery{}, ErrBadVERP
	}
	payload, sum := buf[:len(buf)-macLen], buf[len(buf)-macLen:]
	var scratch [sha256.Size + 2*binary.MaxVarintLen64]byte
	want := v.mac(scratch[:0], payload)
	if !hmac.Equal(sum, want[:macLen]) {
		return Delivery{}, ErrBadVERP
	}
	cid, n := binary.Uvarint(payload)
	if n <= 0 {
		return Delivery{}, ErrBadVERP
	}
	sid, m := binary.Uvarint(payload[n:])
	if m <= 0 || n+m != len(payload) || cid > 1<<63-1 || sid > 1<<63-1 {
		return Delivery{}, ErrBadVERP
	}
	return Delivery{CampaignID: int64(cid), SubscriberID: int64(sid)}, nil
}

// mac appends the MAC of payload to dst.
func (v *VERP) mac(dst, payload []byte) []byte {
	m, ok := v.macs.Get().(hash.Hash)
	if !ok {
		m = hmac.New(sha256.New, v.key)
	}
	m.Reset()
	m.Write(payload)
	dst = m.Sum(dst)
	v.macs.Put(m)
	return dst
}
