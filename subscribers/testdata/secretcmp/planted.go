// Package planted holds comparisons for the secret-comparison check in
// secretcmp_test.go: each line ending in "// want" must be reported, and
// no other.
package planted

import (
	"bytes"
	"crypto/hmac"
	"strings"
)

const tokenLen = 38

// TokenConfirm names a purpose, not a secret.
const TokenConfirm = "confirm"

type signer struct{ key []byte }

func (s *signer) mac(payload []byte) []byte { return append([]byte(nil), payload...) }

func verify(s *signer, token string, given, payload []byte, purpose, auth string, sig []byte) bool {
	if len(token) != tokenLen || token == "" || purpose == TokenConfirm {
		return false
	}
	if string(given) != string(s.mac(payload)) { // want
		return false
	}
	if token != "fixed" && token != auth { // want
		return false
	}
	if bytes.Equal(given, s.mac(payload)) { // want
		return true
	}
	if strings.Compare(auth, token) == 0 { // want
		return true
	}
	if auth != "Bearer "+token { // want
		return false
	}
	var expectedSig []byte
	if string(sig) == string(expectedSig) { // want
		return true
	}
	if hashes := [][]byte{sig}; bytes.Equal(hashes[0], given) { // want
		return true
	}
	if sig == nil || len(sig) != 16 {
		return false
	}
	return hmac.Equal(given, s.mac(payload))
}
