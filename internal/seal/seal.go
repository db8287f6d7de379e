// Package seal hides the ids in the tokens mail carries. Ids are given out
// in order, and a token that showed them would tell anyone who gets two
// mails how many readers signed up, or how many messages went out, in
// between. A token is its payload and a MAC of it; sealing XORs the
// payload with a key stream that the MAC selects (an AES block of it, as
// the IV of a counter), so equal payloads seal alike, as their MACs are
// alike, and anything else looks random. Whoever holds the token's MAC
// and the key can open it; without the key nothing of the ids shows.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
)

// A Sealer seals and opens payloads under one key.
type Sealer struct{ block cipher.Block }

// New returns a Sealer with a key derived from secret for use, a name no
// other use of the secret shares.
func New(secret []byte, use string) *Sealer {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(use))
	block, err := aes.NewCipher(m.Sum(nil)[:16])
	if err != nil {
		panic(err) // a 16-byte key is always an AES key
	}
	return &Sealer{block: block}
}

// XOR seals payload in place with the key stream mac selects, or opens
// it: the two are one step. mac is the token's MAC of the open payload,
// 8 to 15 bytes; the IV's last byte counts the stream's blocks, so a
// payload is at most 256 blocks.
func (s *Sealer) XOR(payload, mac []byte) {
	if len(mac) < 8 || len(mac) > aes.BlockSize-1 || len(payload) > 256*aes.BlockSize {
		panic("seal: MAC of 8 to 15 bytes, payload of at most 4 KiB")
	}
	var iv, stream [aes.BlockSize]byte
	copy(iv[:], mac)
	for i := 0; len(payload) > 0; i++ {
		iv[aes.BlockSize-1] = byte(i)
		s.block.Encrypt(stream[:], iv[:])
		payload = payload[subtle.XORBytes(payload, payload, stream[:]):]
	}
}
