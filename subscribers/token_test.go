package subscribers

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// A token has one spelling: the same bytes with other unused bits in the
// last character are refused.
func TestSignerRefusesNonCanonicalToken(t *testing.T) {
	s := NewSigner([]byte("k"))
	tok := s.Sign(TokenConfirm, 42, time.Hour)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, tok[len(tok)-1])
	// 28 bytes take 37⅓ characters: the last one carries 2 bits of data
	// and 4 unused ones.
	for flip := 1; flip < 16; flip++ {
		bad := tok[:len(tok)-1] + string(alphabet[last^flip])
		if buf, err := base64.RawURLEncoding.DecodeString(bad); err != nil {
			t.Fatalf("%q is not even lenient base64: %v", bad, err)
		} else if want, _ := base64.RawURLEncoding.DecodeString(tok); string(buf) != string(want) {
			t.Fatalf("%q decodes to other bytes: the test flips data bits", bad)
		}
		if id, err := s.Verify(TokenConfirm, bad); err == nil {
			t.Errorf("Verify(%q) = %d, a second spelling of %q passed", bad, id, tok)
		}
	}
	if _, err := s.Verify(TokenConfirm, tok); err != nil {
		t.Errorf("the canonical token: %v", err)
	}
}

// A token altered anywhere in its payload or its MAC, as valid base64 of
// the right length, reaches the MAC check and fails it.
func TestSignerRefusesFlippedBits(t *testing.T) {
	s := NewSigner([]byte("k"))
	tok := s.Sign(TokenUnsubscribe, 42, 0)
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) != payloadLen+macLen {
		t.Fatalf("token %q: %v", tok, err)
	}
	for i := range raw {
		for _, bit := range []byte{0x01, 0x80} {
			b := append([]byte(nil), raw...)
			b[i] ^= bit
			bad := base64.RawURLEncoding.EncodeToString(b)
			if len(bad) != len(tok) {
				t.Fatalf("flipped token %q has another length", bad)
			}
			part := "payload"
			if i >= payloadLen {
				part = "MAC"
			}
			if id, err := s.Verify(TokenUnsubscribe, bad); err == nil {
				t.Errorf("bit %#x of byte %d (%s) flipped: Verify passed with id %d", bit, i, part, id)
			}
		}
	}
}
