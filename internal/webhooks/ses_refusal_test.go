package webhooks

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"log/slog"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

const (
	refusalTopic   = "arn:aws:sns:eu-west-1:111122223333:bulletin-feedback"
	refusalCertURL = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-test.pem"
)

// certFetcher serves one PEM certificate at refusalCertURL and fails
// every other fetch with err; nothing leaves the process.
type certFetcher struct {
	pem []byte
	err error
}

func (f certFetcher) Fetch(_ context.Context, u string) ([]byte, error) {
	if u == refusalCertURL && f.pem != nil {
		return f.pem, nil
	}
	return nil, f.err
}

// selfSigned returns a new RSA key and a certificate of it, in PEM.
func selfSigned(t *testing.T) (*rsa.PrivateKey, []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sns.amazonaws.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// signedSNS is an SNS message of typ, signed (version 2) by key.
func signedSNS(t *testing.T, key *rsa.PrivateKey, typ, subscribeURL string) []byte {
	t.Helper()
	m := snsMessage{Type: typ, MessageID: "sns-1", Token: "tok-1", TopicArn: refusalTopic, Message: "{}",
		Timestamp: "2026-11-30T09:00:00.000Z", SignatureVersion: "2", SigningCertURL: refusalCertURL, SubscribeURL: subscribeURL}
	sum := sha256.Sum256([]byte(m.signedText()))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	m.Signature = base64.StdEncoding.EncodeToString(sig)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A message refused for its signature is answered with a fixed message:
// why it does not verify (the certificate's fetch, the RSA check) goes to
// the log, not to whoever sent it. The web layer answers the error's
// code as 401 and its message as the body.
func TestSESRefusalSaysNothingInternal(t *testing.T) {
	key, certPEM := selfSigned(t)
	other, _ := selfSigned(t)
	cases := []struct {
		name   string
		certs  certFetcher
		body   []byte
		detail string // in the error verify returned
	}{
		{"signed by another key", certFetcher{pem: certPEM}, signedSNS(t, other, "Notification", ""), "verification error"},
		{"certificate not fetched", certFetcher{err: errors.New("dial tcp 10.1.2.3:443: connect: connection refused")},
			signedSNS(t, key, "Notification", ""), "10.1.2.3"},
		{"certificate not PEM", certFetcher{pem: []byte("<Error>AccessDenied</Error>")}, signedSNS(t, key, "Notification", ""), "not PEM"},
	}
	const want = "The SNS signature does not verify: the message is not signed by Amazon SNS, or was changed after."
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// SES logs to slog.Default() when its Log is nil, as this
			// test leaves it so that it runs against the SES of before
			// Log too. No test of this package runs in parallel to see
			// the swap; setting a default slog.Logger also redirects the
			// log package, which is put back as it was.
			var logged bytes.Buffer
			defer func(l *slog.Logger, w io.Writer, flags int) {
				slog.SetDefault(l)
				log.SetOutput(w)
				log.SetFlags(flags)
			}(slog.Default(), log.Writer(), log.Flags())
			slog.SetDefault(slog.New(slog.NewTextHandler(&logged, nil)))
			ses, err := NewSES(refusalTopic, tc.certs, certFetcher{err: errors.New("no confirmations here")}, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = ses.Events(context.Background(), nil, tc.body)
			if code := bulletin.ErrorCode(err); code != bulletin.EUNAUTHORIZED {
				t.Fatalf("error %v (code %q), want %q", err, code, bulletin.EUNAUTHORIZED)
			}
			if msg := bulletin.ErrorMessage(err); msg != want {
				t.Errorf("answer %q, want the fixed %q, without %q", msg, want, tc.detail)
			}
			if !strings.Contains(logged.String(), tc.detail) {
				t.Errorf("log %q does not say why (%q)", logged.String(), tc.detail)
			}
			if strings.Contains(logged.String(), refusalTopic) {
				t.Errorf("log %q names the configured topic", logged.String())
			}
		})
	}
}

// A subscription that could not be confirmed is an internal error: the
// answer is the generic one, and the fetch's error is for the web layer
// to log.
func TestSESConfirmFailureSaysNothingInternal(t *testing.T) {
	key, certPEM := selfSigned(t)
	subscribe := "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=" + refusalTopic + "&Token=tok-1"
	ses, err := NewSES(refusalTopic, certFetcher{pem: certPEM}, certFetcher{err: errors.New("sns.eu-west-1.amazonaws.com answered 403 Forbidden")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ses.Events(context.Background(), nil, signedSNS(t, key, "SubscriptionConfirmation", subscribe))
	if code, msg := bulletin.ErrorCode(err), bulletin.ErrorMessage(err); code != bulletin.EINTERNAL || strings.Contains(msg, "403") {
		t.Errorf("answer %q (code %q), want the generic internal error", msg, code)
	}
	if err == nil || !strings.Contains(err.Error(), "403 Forbidden") {
		t.Errorf("error %v, want the fetch's error in it for the log", err)
	}
}
