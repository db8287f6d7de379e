package subscribers

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"
	"time"
)

// signUnsealed makes a token of the first form, its payload readable, as
// mail sent before tokens were sealed holds them.
func signUnsealed(s *Signer, purpose string, id int64, exp uint32) string {
	buf := make([]byte, payloadLen, payloadLen+macLen)
	binary.BigEndian.PutUint64(buf[:8], uint64(id))
	binary.BigEndian.PutUint32(buf[8:12], exp)
	var sum [sha256.Size]byte
	return base64.RawURLEncoding.EncodeToString(append(buf, s.mac(sum[:0], purpose, buf)...))
}

// A token of the first form has one spelling: the same bytes with other
// unused bits in the last character are refused. (A sealed token's 27
// bytes fill 36 characters: it has no unused bits.)
func TestSignerRefusesNonCanonicalToken(t *testing.T) {
	s := NewSigner([]byte("k"))
	tok := signUnsealed(s, TokenConfirm, 42, uint32(time.Now().Add(time.Hour).Unix()/3600+1))
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

// A token of either form altered anywhere, as valid base64 of the right
// length, reaches the MAC check and fails it.
func TestSignerRefusesFlippedBits(t *testing.T) {
	s := NewSigner([]byte("k"))
	for _, tok := range []string{s.Sign(TokenUnsubscribe, 42, 0), signUnsealed(s, TokenUnsubscribe, 42, 0)} {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || (len(raw) != sealedLen && len(raw) != payloadLen+macLen) {
			t.Fatalf("token %q: %d bytes, %v", tok, len(raw), err)
		}
		if _, err := s.Verify(TokenUnsubscribe, tok); err != nil {
			t.Fatalf("token %q unaltered: %v", tok, err)
		}
		for i := range raw {
			for _, bit := range []byte{0x01, 0x80} {
				b := append([]byte(nil), raw...)
				b[i] ^= bit
				bad := base64.RawURLEncoding.EncodeToString(b)
				if len(bad) != len(tok) {
					t.Fatalf("flipped token %q has another length", bad)
				}
				if id, err := s.Verify(TokenUnsubscribe, bad); err == nil {
					t.Errorf("%d-byte token: bit %#x of byte %d flipped: Verify passed with id %d", len(raw), bit, i, id)
				}
			}
		}
	}
}

// A token does not show the reader's id: ids are given out in order, so
// one that did would tell a reader who signs up twice how many signed up
// in between. Nor its expiry, which dates the mail.
func TestSignerSealsTheID(t *testing.T) {
	s := NewSigner([]byte("k"))
	seen := map[string]bool{}
	for id := int64(1); id <= 64; id++ {
		tok := s.Sign(TokenConfirm, id, 48*time.Hour)
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(raw) != sealedLen {
			t.Fatalf("token %q: %d bytes, %v", tok, len(raw), err)
		}
		var idBytes [8]byte
		binary.BigEndian.PutUint64(idBytes[:], uint64(id))
		if bytes.Contains(raw, idBytes[2:]) {
			t.Errorf("the token of reader %d holds its id: % x", id, raw)
		}
		// Tokens of readers next to each other share no leading bytes a
		// counter would: the first 4 bytes are the id's and the expiry's
		// sealed together.
		if seen[string(raw[:4])] {
			t.Errorf("the token of reader %d starts as another's: % x", id, raw[:4])
		}
		seen[string(raw[:4])] = true
		if got, err := s.Verify(TokenConfirm, tok); err != nil || got != id {
			t.Errorf("Verify(token of %d) = %d, %v", id, got, err)
		}
		if got, ok := s.claimedID(tok); !ok || got != id {
			t.Errorf("claimedID(token of %d) = %d, %v", id, got, ok)
		}
	}
	// A secret of its own seals the same payload otherwise.
	if a, b := s.Sign(TokenUnsubscribe, 7, 0), NewSigner([]byte("k2")).Sign(TokenUnsubscribe, 7, 0); a[:21] == b[:21] {
		t.Errorf("two secrets seal reader 7 alike: %q, %q", a, b)
	}
}

// Links in mail sent before tokens were sealed keep working: unsubscribe
// and preferences links never expire. The tokens below are what that code
// made for reader 4242 with the secret "old mail secret".
func TestSignerTakesTokensOfOldMail(t *testing.T) {
	s := NewSigner([]byte("old mail secret"))
	for _, tt := range []struct{ purpose, token string }{
		{TokenUnsubscribe, "AAAAAAAAEJIAAAAAWeopcbO3QVJnwqDXsaECaw"},
		{TokenPreferences, "AAAAAAAAEJIAAAAAMSep1C1QxzTquA9kB3G3MA"},
	} {
		if id, err := s.Verify(tt.purpose, tt.token); err != nil || id != 4242 {
			t.Errorf("Verify(%s, %q) = %d, %v; want 4242", tt.purpose, tt.token, id, err)
		}
		if id, ok := s.claimedID(tt.token); !ok || id != 4242 {
			t.Errorf("claimedID(%q) = %d, %v", tt.token, id, ok)
		}
		if _, err := NewSigner([]byte("another secret")).Verify(tt.purpose, tt.token); err == nil {
			t.Errorf("%q passed under another secret", tt.token)
		}
	}
	if _, err := s.Verify(TokenUnsubscribe, "AAAAAAAAEJIAAAAAMSep1C1QxzTquA9kB3G3MA"); err == nil {
		t.Error("a preferences token of old mail passed as an unsubscribe one")
	}
	// The first form's expiry still holds.
	expired := signUnsealed(s, TokenConfirm, 9, uint32(time.Now().Add(-time.Hour).Unix()/3600))
	if _, err := s.Verify(TokenConfirm, expired); err == nil {
		t.Error("an expired token of the first form passed")
	}
}
