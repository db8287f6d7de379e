// Package dkim holds Bulletin's DKIM keys: it makes them (bulletin dkim
// keygen), reads them once at start-up, prints the DNS record that
// publishes each one, and signs messages with them (RFC 6376, with
// Ed25519 per RFC 8463) through emersion/go-msgauth.
package dkim

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Key types, as the file names and the TXT record's k= tag spell them.
const (
	RSA     = "rsa"
	Ed25519 = "ed25519"
)

// RSABits is the size of the RSA keys Generate makes: what Gmail and
// Yahoo expect, and the most many DNS providers take in one record.
const RSABits = 2048

// A Key is a private key and the selector its public half is published
// under. Its String and log value name the selector only, so a key that
// ends up in a log line gives nothing away.
type Key struct {
	Selector string
	Type     string // RSA or Ed25519
	signer   crypto.Signer
}

// String implements fmt.Stringer without the key material.
func (k Key) String() string { return k.Type + " key " + k.Selector }

// GoString keeps %#v from printing the key material too.
func (k Key) GoString() string { return k.String() }

// Public returns the public half of the key.
func (k Key) Public() crypto.PublicKey { return k.signer.Public() }

// A MissingKeyError is a configured selector whose key file does not
// exist.
type MissingKeyError struct {
	Path     string
	Selector string
	Type     string
}

func (e *MissingKeyError) Error() string {
	return fmt.Sprintf("no DKIM key %s: make it with \"bulletin dkim keygen --selector %s --type %s\", or unset the selector", e.Path, e.Selector, e.Type)
}

// Path returns the file of the key of type typ for selector in dir.
func Path(dir, selector, typ string) string {
	return filepath.Join(dir, selector+"."+typ+".pem")
}

// CheckSelector refuses a selector that is not a DNS label: it becomes
// part of a domain name and a file name.
func CheckSelector(s string) error {
	if s == "" || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return fmt.Errorf("selector %q: use letters, digits and inner hyphens, at most 63, like s1 or 2026a", s)
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return fmt.Errorf("selector %q: use letters, digits and inner hyphens, at most 63, like s1 or 2026a", s)
		}
	}
	return nil
}

// Load reads the key of type typ for selector from dir. A file that does
// not exist is a *MissingKeyError.
func Load(dir, selector, typ string) (Key, error) {
	if err := CheckSelector(selector); err != nil {
		return Key{}, err
	}
	path := Path(dir, selector, typ)
	buf, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Key{}, &MissingKeyError{Path: path, Selector: selector, Type: typ}
	} else if err != nil {
		return Key{}, fmt.Errorf("read DKIM key: %w", err)
	}
	signer, err := parsePEM(buf)
	if err != nil {
		return Key{}, fmt.Errorf("DKIM key %s: %v", path, err)
	}
	switch pub := signer.Public().(type) {
	case *rsa.PublicKey:
		if typ != RSA {
			return Key{}, fmt.Errorf("DKIM key %s: holds an RSA key, not %s", path, typ)
		}
		if pub.N.BitLen() < 1024 {
			return Key{}, fmt.Errorf("DKIM key %s: RSA keys under 1024 bits are refused by receivers; make a new one with bulletin dkim keygen", path)
		}
	case ed25519.PublicKey:
		if typ != Ed25519 {
			return Key{}, fmt.Errorf("DKIM key %s: holds an Ed25519 key, not %s", path, typ)
		}
	default:
		return Key{}, fmt.Errorf("DKIM key %s: only RSA and Ed25519 keys can sign", path)
	}
	return Key{Selector: selector, Type: typ, signer: signer}, nil
}

// parsePEM reads a PKCS#8 private key, or a PKCS#1 RSA one as OpenDKIM
// and older openssl versions write them.
func parsePEM(buf []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(buf)
	if block == nil {
		return nil, errors.New("not a PEM file")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("a PEM %q block, not a private key", block.Type)
	}
	if err != nil {
		return nil, errors.New("the private key does not parse")
	}
	s, ok := key.(crypto.Signer)
	if !ok {
		return nil, errors.New("not a signing key")
	}
	return s, nil
}

// Generate makes a new key of type typ and writes it as PKCS#8 PEM to its
// file in dir (mode 0600, dir made 0700), refusing to overwrite a key
// that exists: its public half may be published, and mail in flight is
// signed with it.
func Generate(dir, selector, typ string) (Key, error) {
	if err := CheckSelector(selector); err != nil {
		return Key{}, err
	}
	var signer crypto.Signer
	var err error
	switch typ {
	case RSA:
		signer, err = rsa.GenerateKey(rand.Reader, RSABits)
	case Ed25519:
		_, signer, err = ed25519.GenerateKey(rand.Reader)
	default:
		return Key{}, fmt.Errorf("key type %q: use rsa or ed25519", typ)
	}
	if err != nil {
		return Key{}, fmt.Errorf("generate DKIM key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(signer)
	if err != nil {
		return Key{}, fmt.Errorf("encode DKIM key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Key{}, fmt.Errorf("create DKIM folder: %w", err)
	}
	path := Path(dir, selector, typ)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return Key{}, fmt.Errorf("%s exists: a key is never overwritten; pick another selector, or delete the file once its record is gone from the DNS: %w", path, fs.ErrExist)
	} else if err != nil {
		return Key{}, fmt.Errorf("write DKIM key: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		os.Remove(path)
		return Key{}, fmt.Errorf("write DKIM key: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return Key{}, fmt.Errorf("write DKIM key: %w", err)
	}
	return Key{Selector: selector, Type: typ, signer: signer}, nil
}

// RecordValue returns the value of the TXT record that publishes k's
// public half: "v=DKIM1; k=rsa; p=…" with the SubjectPublicKeyInfo, or
// k=ed25519 with the raw 32-byte key (RFC 8463).
func (k Key) RecordValue() string {
	var p []byte
	switch pub := k.Public().(type) {
	case ed25519.PublicKey:
		p = pub
	default:
		p, _ = x509.MarshalPKIXPublicKey(pub)
	}
	return "v=DKIM1; k=" + k.Type + "; p=" + base64.StdEncoding.EncodeToString(p)
}

// RecordName returns the owner name of k's record for domain:
// SELECTOR._domainkey.DOMAIN.
func (k Key) RecordName(domain string) string {
	return k.Selector + "._domainkey." + strings.TrimSuffix(domain, ".")
}

// Record returns k's TXT record for domain as a zone-file line: the value
// split into strings of at most 255 octets, as a TXT record must be, in
// parentheses so the line can be pasted as it is.
func (k Key) Record(domain string) string {
	var b strings.Builder
	b.WriteString(k.RecordName(domain) + ". IN TXT (")
	for _, s := range SplitTXT(k.RecordValue()) {
		b.WriteString(" \"" + s + "\"")
	}
	b.WriteString(" )")
	return b.String()
}

// SplitTXT cuts v into strings of at most 255 octets, the limit of one
// character-string in a TXT record; a resolver joins them back.
func SplitTXT(v string) []string {
	var out []string
	for len(v) > 255 {
		out = append(out, v[:255])
		v = v[255:]
	}
	return append(out, v)
}
