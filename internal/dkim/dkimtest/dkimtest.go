// Package dkimtest gives tests DKIM keys and checks signatures with
// go-msgauth's verifier, an implementation independent of the signing
// code, against the keys a test publishes in place of the DNS.
package dkimtest

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	msgdkim "github.com/emersion/go-msgauth/dkim"

	"github.com/bulletinhq/bulletin/internal/dkim"
)

var (
	once    sync.Once
	rsaKey  dkim.Key
	edKey   dkim.Key
	errOnce error
	keysDir string
)

// Keys returns an RSA key (selector "rsa1") and an Ed25519 key ("ed1"),
// made once per test binary: an RSA key takes a while to make. The files
// are in Dir.
func Keys(t testing.TB) (rsa, ed dkim.Key) {
	t.Helper()
	once.Do(func() {
		keysDir, errOnce = os.MkdirTemp("", "dkimtest-")
		if errOnce != nil {
			return
		}
		if rsaKey, errOnce = dkim.Generate(keysDir, "rsa1", dkim.RSA); errOnce != nil {
			return
		}
		edKey, errOnce = dkim.Generate(keysDir, "ed1", dkim.Ed25519)
	})
	if errOnce != nil {
		t.Fatal(errOnce)
	}
	return rsaKey, edKey
}

// Dir returns the folder of the files of Keys' keys.
func Dir(t testing.TB) string {
	t.Helper()
	Keys(t)
	return keysDir
}

// Lookup returns a LookupTXT that publishes keys under domain, as the
// records dkim.Key.Record prints would, and knows no other name.
func Lookup(domain string, keys ...dkim.Key) func(string) ([]string, error) {
	recs := make(map[string][]string, len(keys))
	for _, k := range keys {
		// A resolver returns a record's strings joined into one.
		recs[strings.ToLower(k.RecordName(domain))] = []string{strings.Join(dkim.SplitTXT(k.RecordValue()), "")}
	}
	return func(name string) ([]string, error) {
		if r, ok := recs[strings.ToLower(strings.TrimSuffix(name, "."))]; ok {
			return r, nil
		}
		return nil, errors.New("no such record: " + name)
	}
}

// Verify checks every DKIM signature of msg against keys published for
// domain and returns the verifications, each with its error (nil when it
// verifies).
func Verify(t testing.TB, msg []byte, domain string, keys ...dkim.Key) []*msgdkim.Verification {
	t.Helper()
	vs, err := msgdkim.VerifyWithOptions(bytes.NewReader(msg), &msgdkim.VerifyOptions{LookupTXT: Lookup(domain, keys...)})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return vs
}

// RequireValid fails t unless msg carries exactly want signatures, all
// valid for domain under keys.
func RequireValid(t testing.TB, msg []byte, domain string, want int, keys ...dkim.Key) {
	t.Helper()
	vs := Verify(t, msg, domain, keys...)
	if len(vs) != want {
		t.Fatalf("%d DKIM signatures, want %d", len(vs), want)
	}
	for _, v := range vs {
		if v.Err != nil {
			t.Errorf("signature of %s by selector key failed: %v", v.Domain, v.Err)
		} else if v.Domain != domain {
			t.Errorf("signature domain %q, want %q", v.Domain, domain)
		}
	}
}
