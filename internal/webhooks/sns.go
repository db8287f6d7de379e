package webhooks

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"time"
)

// A Fetcher gets the bytes at an https URL: SNS signing certificates and
// subscription confirmations. Tests give their own; HTTPFetcher is the
// real one.
type Fetcher interface {
	Fetch(ctx context.Context, rawURL string) ([]byte, error)
}

// snsHost is the host of every URL SNS sends us to.
var snsHost = regexp.MustCompile(`^sns\.[a-z]{2}(-[a-z]+)+-[0-9]+\.amazonaws\.com$`)

// snsURL reports whether raw is an https URL on an SNS host, without
// user, port or fragment tricks.
func snsURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "https" && u.User == nil && u.Port() == "" && snsHost.MatchString(u.Host)
}

// snsCertPath is the path of SNS's signing certificates: one file at the
// root named for the certificate, SimpleNotificationService-<hex>.pem.
var snsCertPath = regexp.MustCompile(`^/SimpleNotificationService-[0-9A-Za-z]+\.pem$`)

// snsCertURL reports whether raw is a signing certificate's URL on an SNS
// host: a forged message may name any URL, and each one not cached costs
// a fetch, so only a certificate's own are fetched.
func snsCertURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && snsURL(raw) && snsCertPath.MatchString(u.Path) && u.RawQuery == "" && !u.ForceQuery && u.Fragment == ""
}

// snsMessage is an SNS HTTP(S) delivery: a notification or a
// (un)subscription confirmation.
type snsMessage struct {
	Type             string
	MessageID        string `json:"MessageId"`
	Token            string
	TopicArn         string
	Subject          *string
	Message          string
	Timestamp        string
	SignatureVersion string
	Signature        string
	SigningCertURL   string
	SubscribeURL     string
}

// signedText is what SNS signs: the message's fields by name, each name
// and value on its own line, in the order its documentation gives.
func (m *snsMessage) signedText() string {
	field := func(name, value string) string { return name + "\n" + value + "\n" }
	s := field("Message", m.Message) + field("MessageId", m.MessageID)
	if m.Type == "Notification" {
		if m.Subject != nil {
			s += field("Subject", *m.Subject)
		}
		return s + field("Timestamp", m.Timestamp) + field("TopicArn", m.TopicArn) + field("Type", m.Type)
	}
	return s + field("SubscribeURL", m.SubscribeURL) + field("Timestamp", m.Timestamp) +
		field("Token", m.Token) + field("TopicArn", m.TopicArn) + field("Type", m.Type)
}

// verify checks m's signature with the certificate at its SigningCertURL,
// which must be an SNS host's. A message whose signature cannot be one
// (none, not base64, not as long as an RSA signature of SNS's key sizes)
// or whose SignatureVersion is none SNS uses is refused before any
// fetch: it would cost a fetch for nothing.
func (c *certs) verify(ctx context.Context, m *snsMessage) error {
	if !snsCertURL(m.SigningCertURL) {
		return errors.New("SigningCertURL is not an https URL of a SimpleNotificationService-….pem on sns.<region>.amazonaws.com")
	}
	if m.SignatureVersion != "1" && m.SignatureVersion != "2" {
		return fmt.Errorf("SignatureVersion %q is not 1 or 2", m.SignatureVersion)
	}
	if m.Signature == "" {
		return errors.New("no Signature")
	}
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	if err != nil {
		return errors.New("signature is not base64")
	}
	if !rsaSignatureSize(len(sig)) {
		return fmt.Errorf("signature is %d bytes, not the 256, 384 or 512 of an RSA signature", len(sig))
	}
	cert, err := c.get(ctx, m.SigningCertURL)
	if err != nil {
		return err
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok || pub.N.BitLen() < 2048 {
		return errors.New("signing certificate has no RSA key of 2048 bits or more")
	}
	text := []byte(m.signedText())
	if m.SignatureVersion == "1" {
		sum := sha1.Sum(text)
		return rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], sig)
	}
	sum := sha256.Sum256(text)
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
}

// rsaSignatureSize reports whether n bytes is the size of an RSA PKCS #1
// v1.5 signature (the key's modulus) by a key of 2048, 3072 or 4096 bits:
// SNS signs with 2048 bits, and nothing shorter is taken.
func rsaSignatureSize(n int) bool { return n == 256 || n == 384 || n == 512 }

// HTTPFetcher fetches over https only, following no redirects, within
// 10 seconds and up to 64 KiB.
type HTTPFetcher struct{ Client *http.Client }

// NewHTTPFetcher returns an HTTPFetcher with its own client.
func NewHTTPFetcher() *HTTPFetcher {
	return &HTTPFetcher{Client: &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Fetch gets rawURL, which must be https.
func (f *HTTPFetcher) Fetch(ctx context.Context, rawURL string) ([]byte, error) {
	if !snsURL(rawURL) {
		return nil, errors.New("refusing to fetch a URL that is not https on an SNS host")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := f.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &statusError{host: req.URL.Host, status: resp.Status, code: resp.StatusCode}
	}
	return io.ReadAll(io.LimitReader(resp.Body, 64<<10))
}
