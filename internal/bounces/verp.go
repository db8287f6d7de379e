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
	"strconv"
	"strings"
	"sync"

	"github.com/bulletinhq/bulletin/internal/seal"
)

// ErrBadVERP is returned for an address that is not a VERP address of
// this installation and bounce domain, or whose token was altered.
var ErrBadVERP = errors.New("not a VERP address of this installation")

// A Kind is the kind of mail a VERP address was the envelope sender of.
type Kind uint8

// The kinds of mail. The zero Kind is a campaign's, so a Delivery written
// before kinds existed still means one.
const (
	KindCampaign Kind = iota // a campaign or digest: CampaignID, SubscriberID
	KindConfirm              // a confirmation: SubscriberID
	KindWelcome              // a welcome mail: SubscriberID, ListID
	KindTest                 // a test send of CampaignID, to no subscriber
)

// String returns the kind's name, as logs and events spell it.
func (k Kind) String() string {
	switch k {
	case KindCampaign:
		return "campaign"
	case KindConfirm:
		return "confirmation"
	case KindWelcome:
		return "welcome"
	case KindTest:
		return "test"
	}
	return "kind " + strconv.Itoa(int(k))
}

// A Delivery is what a VERP address names: a kind of mail and the ids
// that kind names (see Kind); the others are zero.
type Delivery struct {
	CampaignID   int64
	SubscriberID int64
	Kind         Kind
	ListID       int64
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
// bounce+TOKEN@DOMAIN, where TOKEN is a payload of varints, sealed (package
// seal: a reader learns no ids from the Return-Path or the Message-ID),
// and a truncated HMAC of it under the installation's secret. Addresses
// written before payloads were sealed still parse. A campaign's payload is its
// campaign and subscriber ids; any other kind's starts with a 0 (no
// campaign has id 0), then the kind, then the ids that kind names, so the
// addresses of campaigns made before kinds existed still parse. The local
// part is at most 59 octets (RFC 5321 allows 64) and checked without a
// database read, in constant time. A nil *VERP, an installation without
// a bounce domain, parses nothing: Parse and ParseMessageID answer
// ErrBadVERP.
type VERP struct {
	key    []byte
	seal   *seal.Sealer
	domain string
	macs   sync.Pool
}

// NewVERP returns a VERP for addresses on domain, keyed by secret.
func NewVERP(secret []byte, domain string) *VERP {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("bulletin verp v1"))
	return &VERP{key: m.Sum(nil), seal: seal.New(secret, "bulletin verp seal v2"),
		domain: strings.ToLower(strings.TrimSuffix(domain, "."))}
}

// Domain returns the bounce domain, lower case.
func (v *VERP) Domain() string { return v.domain }

// Address returns the VERP address of a campaign's (or digest's) delivery
// to a subscriber.
func (v *VERP) Address(campaignID, subscriberID int64) string {
	return v.AddressOf(Delivery{CampaignID: campaignID, SubscriberID: subscriberID})
}

// AddressOf returns the VERP address of d, a delivery of any kind; ids
// are not negative.
func (v *VERP) AddressOf(d Delivery) string {
	var buf [2 + 2*binary.MaxVarintLen64 + sha256.Size]byte
	n := 0
	put := func(id int64) { n += binary.PutUvarint(buf[n:], uint64(id)) }
	switch d.Kind {
	case KindCampaign:
		put(d.CampaignID)
		put(d.SubscriberID)
	case KindConfirm:
		buf[0], buf[1], n = 0, byte(d.Kind), 2
		put(d.SubscriberID)
	case KindWelcome:
		buf[0], buf[1], n = 0, byte(d.Kind), 2
		put(d.SubscriberID)
		put(d.ListID)
	default: // KindTest
		buf[0], buf[1], n = 0, byte(KindTest), 2
		put(d.CampaignID)
	}
	tok := v.mac(buf[:n], buf[:n])[:n+macLen]
	v.seal.XOR(tok[:n], tok[n:])
	return localPrefix + tokenEncoding.EncodeToString(tok) + "@" + v.domain
}

// Parse returns the delivery a VERP address names: addr may be in angle
// brackets and in any case. Anything else is ErrBadVERP.
func (v *VERP) Parse(addr string) (Delivery, error) {
	if v == nil { // no bounce domain: no address is one
		return Delivery{}, ErrBadVERP
	}
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
	sealed, sum := buf[:len(buf)-macLen], buf[len(buf)-macLen:]
	open := append([]byte(nil), sealed...)
	v.seal.XOR(open, sum)
	// Sealed, or as a mail sent before the ids were sealed named it.
	for _, payload := range [][]byte{open, sealed} {
		var scratch [sha256.Size + 2 + 2*binary.MaxVarintLen64]byte
		if !hmac.Equal(sum, v.mac(scratch[:0], payload)[:macLen]) {
			continue
		}
		if d, ok := decode(payload); ok {
			return d, nil
		}
	}
	return Delivery{}, ErrBadVERP
}

// ParseMessageID returns the delivery a Message-ID names: Bulletin writes
// a delivery's Message-ID with the local part of its VERP address on the
// left (see mailer.Personal), whatever the right side. id may be in
// angle brackets. Anything else is ErrBadVERP.
func (v *VERP) ParseMessageID(id string) (Delivery, error) {
	if v == nil {
		return Delivery{}, ErrBadVERP
	}
	id = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(id), "<"), ">")
	i := strings.LastIndexByte(id, '@')
	if i <= 0 {
		return Delivery{}, ErrBadVERP
	}
	return v.Parse(id[:i] + "@" + v.domain)
}

// decode reads the delivery of a token's payload, which must hold its ids
// and nothing more.
func decode(payload []byte) (Delivery, bool) {
	ids := func(p []byte, n int) ([]int64, bool) {
		out := make([]int64, 0, 2)
		for range n {
			id, m := binary.Uvarint(p)
			if m <= 0 || id > 1<<63-1 {
				return nil, false
			}
			out, p = append(out, int64(id)), p[m:]
		}
		return out, len(p) == 0
	}
	if len(payload) > 0 && payload[0] != 0 { // a campaign's: no kind byte
		got, ok := ids(payload, 2)
		if !ok {
			return Delivery{}, false
		}
		return Delivery{CampaignID: got[0], SubscriberID: got[1]}, true
	}
	if len(payload) < 2 {
		return Delivery{}, false
	}
	d := Delivery{Kind: Kind(payload[1])}
	var got []int64
	ok := false
	switch d.Kind {
	case KindConfirm:
		if got, ok = ids(payload[2:], 1); ok {
			d.SubscriberID = got[0]
		}
	case KindWelcome:
		if got, ok = ids(payload[2:], 2); ok {
			d.SubscriberID, d.ListID = got[0], got[1]
		}
	case KindTest:
		if got, ok = ids(payload[2:], 1); ok {
			d.CampaignID = got[0]
		}
	}
	return d, ok
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
