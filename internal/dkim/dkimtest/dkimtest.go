// Package dkimtest gives tests DKIM keys and checks signatures with
// go-msgauth's verifier, an implementation independent of the signing
// code, against the keys a test publishes in place of the DNS.
package dkimtest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	msgdkim "github.com/emersion/go-msgauth/dkim"

	"github.com/bulletinhq/bulletin/internal/dkim"
)

var (
	once     sync.Once
	rsaKey   dkim.Key
	edKey    dkim.Key
	errOnce  error
	keyFiles map[string][]byte // file name → PEM, as dkim.Generate wrote them
)

// Keys returns an RSA key (selector "rsa1") and an Ed25519 key ("ed1"),
// made once per test binary: an RSA key takes a while to make. Their
// files are in Dir.
func Keys(t testing.TB) (rsa, ed dkim.Key) {
	t.Helper()
	once.Do(func() {
		var dir string
		if dir, errOnce = os.MkdirTemp("", "dkimtest-"); errOnce != nil {
			return
		}
		defer os.RemoveAll(dir) // the files are kept in keyFiles
		if rsaKey, errOnce = dkim.Generate(dir, "rsa1", dkim.RSA); errOnce != nil {
			return
		}
		if edKey, errOnce = dkim.Generate(dir, "ed1", dkim.Ed25519); errOnce != nil {
			return
		}
		keyFiles = map[string][]byte{}
		for _, k := range []dkim.Key{rsaKey, edKey} {
			path := dkim.Path(dir, k.Selector, k.Type)
			buf, err := os.ReadFile(path)
			if err != nil {
				errOnce = err
				return
			}
			keyFiles[filepath.Base(path)] = buf
		}
	})
	if errOnce != nil {
		t.Fatal(errOnce)
	}
	return rsaKey, edKey
}

// Dir returns a folder of t's own (removed when t ends) holding the files
// of Keys' keys.
func Dir(t testing.TB) string {
	t.Helper()
	Keys(t)
	dir := t.TempDir()
	for name, buf := range keyFiles {
		if err := os.WriteFile(filepath.Join(dir, name), buf, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
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

// dkimpyScript verifies every signature of each message file named in
// argv[1] (comma-separated) with dkimpy, serving argv[2:] (name=value) in
// place of the DNS, and prints one line of True or False per signature
// for each message.
const dkimpyScript = `import sys, dkim
recs = dict((n.encode(), v.encode()) for n, v in (a.split("=", 1) for a in sys.argv[2:]))
bad = 0
for f in sys.argv[1].split(","):
    d = dkim.DKIM(open(f, "rb").read())
    n = len([k for k, v in d.headers if k.lower() == b"dkim-signature"])
    ok = [d.verify(idx=i, dnsfunc=lambda name, timeout=5: recs.get(name)) for i in range(n)]
    print(ok)
    bad += not (ok and all(ok))
sys.exit(1 if bad else 0)
`

var (
	dkimpyOnce sync.Once
	dkimpy     string
)

// Dkimpy returns the Python that Debian's dkimverify (python3-dkim) runs
// on, or "" when it is not installed: the tests that use it say so and
// go on, and CI installs it.
func Dkimpy() string {
	dkimpyOnce.Do(func() {
		verifier, err := exec.LookPath("dkimverify")
		if err != nil {
			return
		}
		// The interpreter dkimverify runs on has the module, whatever
		// python3 comes first in PATH.
		head, _ := os.ReadFile(verifier)
		py, _, _ := strings.Cut(strings.TrimPrefix(string(head), "#!"), "\n")
		if py = strings.TrimSpace(py); exec.Command(py, "-c", "import dkim").Run() == nil {
			dkimpy = py
		}
	})
	return dkimpy
}

// RequireDkimpy fails t unless dkimpy, a second implementation, verifies
// all want signatures of each of msgs with keys published under domain,
// in one run of Python. Without dkimpy it logs that it could not check.
func RequireDkimpy(t testing.TB, domain string, want int, keys []dkim.Key, msgs ...[]byte) {
	t.Helper()
	py := Dkimpy()
	if py == "" {
		t.Log("dkimverify (python3-dkim) is missing: signatures checked by go-msgauth alone")
		return
	}
	dir := t.TempDir()
	files := make([]string, len(msgs))
	for i, msg := range msgs {
		files[i] = filepath.Join(dir, fmt.Sprintf("msg%d.eml", i))
		if err := os.WriteFile(files[i], msg, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"-c", dkimpyScript, strings.Join(files, ",")}
	for _, k := range keys {
		args = append(args, k.RecordName(domain)+".="+k.RecordValue())
	}
	out, err := exec.Command(py, args...).CombinedOutput()
	if err != nil || strings.Count(string(out), "True") != want*len(msgs) {
		t.Errorf("dkimpy: %v, want %d valid signatures in each of %d messages: %s", err, want, len(msgs), out)
	}
}
