package webhooks

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// noDial is an HTTPFetcher whose every dial is counted and refused, so
// that a test sees whether a message would have cost a fetch without one
// leaving the process (not even a DNS lookup: the dialer does those).
func noDial(dials *atomic.Int32) *HTTPFetcher {
	f := NewHTTPFetcher()
	refuse := func(context.Context, string, string) (net.Conn, error) {
		dials.Add(1)
		return nil, errors.New("no dialing in tests")
	}
	f.Client.Transport = &http.Transport{Proxy: nil, DialContext: refuse, DialTLSContext: refuse}
	return f
}

// snsBody is an SNS notification of refusalTopic with signature sig,
// SignatureVersion version and SigningCertURL certURL; omit leaves the
// Signature member out.
func snsBody(t *testing.T, sig, version, certURL string, omit bool) []byte {
	t.Helper()
	m := map[string]any{"Type": "Notification", "MessageId": "sns-1", "TopicArn": refusalTopic, "Message": "{}",
		"Timestamp": "2026-11-30T09:00:00.000Z", "SignatureVersion": version, "SigningCertURL": certURL}
	if !omit {
		m["Signature"] = sig
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A message whose signature cannot be an SNS signature (none, not base64,
// not as long as an RSA signature, a SignatureVersion SNS does not use),
// or whose SigningCertURL is not an SNS certificate's, is refused as any
// bad signature (401) before anything is fetched. A well-formed one, that
// only the certificate can refute, is the one that costs a fetch.
func TestSNSMalformedSignatureIsRefusedBeforeAnyFetch(t *testing.T) {
	sig := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	cases := []struct {
		name                  string
		sig, version, certURL string
		omit                  bool
		dials                 int32
	}{
		{"no Signature member", "", "1", refusalCertURL, true, 0},
		{"an empty Signature", "", "1", refusalCertURL, false, 0},
		{"AAAA", "AAAA", "1", refusalCertURL, false, 0},
		{"not base64", strings.Repeat("!", 344), "2", refusalCertURL, false, 0},
		{"URL-safe base64", strings.Repeat("-_", 172), "2", refusalCertURL, false, 0},
		{"255 bytes", sig(255), "2", refusalCertURL, false, 0},
		{"257 bytes", sig(257), "1", refusalCertURL, false, 0},
		{"128 bytes, an RSA-1024 signature", sig(128), "1", refusalCertURL, false, 0},
		{"SignatureVersion 3", sig(256), "3", refusalCertURL, false, 0},
		{"no SignatureVersion", sig(256), "", refusalCertURL, false, 0},
		{"certificate on 127.0.0.1", sig(256), "2", "http://127.0.0.1:18300/SimpleNotificationService-test.pem", false, 0},
		{"certificate on a look-alike host", sig(256), "2",
			"https://sns.us-east-1.amazonaws.com.127.0.0.1.nip.io/SimpleNotificationService-test.pem", false, 0},
		{"well-formed, version 2", sig(256), "2", refusalCertURL, false, 1},
		{"well-formed, version 1, 4096 bits", sig(512), "1", refusalCertURL, false, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var dials atomic.Int32
			ses, err := NewSES(refusalTopic, noDial(&dials), noDial(&dials), nil)
			if err != nil {
				t.Fatal(err)
			}
			ses.Log = discardLog()
			_, err = ses.Events(context.Background(), nil, snsBody(t, tc.sig, tc.version, tc.certURL, tc.omit))
			if code := bulletin.ErrorCode(err); code != bulletin.EUNAUTHORIZED {
				t.Errorf("error %v (code %q), want %q", err, code, bulletin.EUNAUTHORIZED)
			}
			if got := dials.Load(); got != tc.dials {
				t.Errorf("%d dials, want %d", got, tc.dials)
			}
		})
	}
}

// snsServer is an SNS host on 127.0.0.1 over TLS: it serves certPEM at
// refusalCertURL's path and 404 for any other, counting the requests
// by path. fetcher reaches it for every SNS host name.
type snsServer struct {
	srv      *httptest.Server
	mu       sync.Mutex
	requests map[string]int
}

func newSNSServer(t *testing.T, certPEM []byte) *snsServer {
	t.Helper()
	s := &snsServer{requests: map[string]int{}}
	path := strings.TrimPrefix(refusalCertURL, "https://sns.eu-west-1.amazonaws.com")
	s.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests[r.URL.Path]++
		s.mu.Unlock()
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		w.Write(certPEM)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// fetcher is an HTTPFetcher whose connections all go to the server on
// 127.0.0.1, whatever host a URL names, and trust its certificate.
func (s *snsServer) fetcher() *HTTPFetcher {
	tr := s.srv.Client().Transport.(*http.Transport).Clone()
	tr.Proxy = nil
	addr := s.srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	tr.TLSClientConfig = tr.TLSClientConfig.Clone()
	tr.TLSClientConfig.ServerName = "example.com" // in httptest's certificate
	f := NewHTTPFetcher()
	f.Client.Transport = tr
	return f
}

func (s *snsServer) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

// A signing certificate is fetched once for many messages, over real
// HTTPS on 127.0.0.1, and kept until its NotAfter (here an hour away,
// sooner than a day); then it is fetched again, and refused as expired.
// A URL the host answers 404 for is asked once for many forged messages
// naming it, until certMissTTL has passed.
func TestSNSCertificateIsFetchedOnce(t *testing.T) {
	key, certPEM := selfSigned(t)
	srv := newSNSServer(t, certPEM)
	f := srv.fetcher()
	ses, err := NewSES(refusalTopic, f, noDial(new(atomic.Int32)), nil)
	if err != nil {
		t.Fatal(err)
	}
	ses.Log = discardLog()
	now := time.Now()
	ses.certs.now = func() time.Time { return now }
	ctx := context.Background()
	certPath := strings.TrimPrefix(refusalCertURL, "https://sns.eu-west-1.amazonaws.com")
	// An UnsubscribeConfirmation is answered nil once its signature
	// verifies: nothing else is done with it.

	for i := range 5 {
		if _, err := ses.Events(ctx, nil, signedSNS(t, key, "UnsubscribeConfirmation", "")); err != nil {
			t.Fatalf("message %d: %v", i+1, err)
		}
	}
	if n := srv.count(certPath); n != 1 {
		t.Errorf("certificate fetched %d times for 5 messages, want 1", n)
	}

	missing := "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-missing.pem"
	forged := snsBody(t, base64.StdEncoding.EncodeToString(make([]byte, 256)), "2", missing, false)
	for range 3 {
		if _, err := ses.Events(ctx, nil, forged); bulletin.ErrorCode(err) != bulletin.EUNAUTHORIZED {
			t.Fatalf("forged message: %v, want a 401", err)
		}
	}
	if n := srv.count("/SimpleNotificationService-missing.pem"); n != 1 {
		t.Errorf("missing certificate asked %d times for 3 messages, want 1", n)
	}
	now = now.Add(certMissTTL + time.Second)
	ses.Events(ctx, nil, forged)
	if n := srv.count("/SimpleNotificationService-missing.pem"); n != 2 {
		t.Errorf("missing certificate asked %d times once certMissTTL passed, want 2", n)
	}

	now = time.Now().Add(30 * time.Minute)
	if _, err := ses.Events(ctx, nil, signedSNS(t, key, "UnsubscribeConfirmation", "")); err != nil {
		t.Fatalf("half an hour on: %v", err)
	}
	if n := srv.count(certPath); n != 1 {
		t.Errorf("certificate fetched %d times half an hour on, want still 1", n)
	}
	now = time.Now().Add(61 * time.Minute) // past the certificate's NotAfter
	if _, err := ses.Events(ctx, nil, signedSNS(t, key, "UnsubscribeConfirmation", "")); bulletin.ErrorCode(err) != bulletin.EUNAUTHORIZED {
		t.Errorf("past NotAfter: %v, want a 401 for the expired certificate", err)
	}
	if n := srv.count(certPath); n != 2 {
		t.Errorf("certificate fetched %d times past its NotAfter, want 2", n)
	}
}

// A certificate is kept for a day at most, whatever its NotAfter; many
// messages at once for a URL not kept yet make one fetch.
func TestSNSCertificateKeptADayAndFetchedOnceAtOnce(t *testing.T) {
	_, certPEM := selfSigned(t)
	block, _ := pem.Decode(certPEM)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	var fetches atomic.Int32
	release := make(chan struct{})
	c := &certs{fetch: fetcherFunc(func(context.Context, string) ([]byte, error) {
		fetches.Add(1)
		<-release
		return certPEM, nil
	})}
	c.now = func() time.Time { return cert.NotAfter.Add(-25 * time.Hour) } // a day and an hour before NotAfter
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := c.get(context.Background(), refusalCertURL); err != nil {
				t.Error(err)
			}
		})
	}
	time.Sleep(50 * time.Millisecond) // let them all ask
	close(release)
	wg.Wait()
	if n := fetches.Load(); n != 1 {
		t.Errorf("%d fetches for 8 messages at once, want 1", n)
	}
	c.now = func() time.Time { return cert.NotAfter.Add(-time.Hour + time.Second) } // a day and a second later
	if _, err := c.get(context.Background(), refusalCertURL); err != nil {
		t.Fatal(err)
	}
	if n := fetches.Load(); n != 2 {
		t.Errorf("%d fetches a day later, want 2", n)
	}
}

// A forged message may name a new certificate each time, on any SNS
// host: at most certFetchesPerMinute of them are fetched a minute, the
// rest answered 429 without a fetch, and at most maxCerts are kept.
func TestSNSCertificateFetchesAreBounded(t *testing.T) {
	var fetches atomic.Int32
	var dials atomic.Int32
	ses := &SES{Topics: []string{refusalTopic}, Log: discardLog()}
	c := &ses.certs
	c.fetch = fetcherFunc(func(ctx context.Context, u string) ([]byte, error) {
		fetches.Add(1)
		return noDial(&dials).Fetch(ctx, u)
	})
	now := time.Now()
	c.now = func() time.Time { return now }
	sig := base64.StdEncoding.EncodeToString(make([]byte, 256))
	post := func(i int) error {
		u := "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-" + strings.Repeat("a", i+1) + ".pem"
		_, err := ses.Events(context.Background(), nil, snsBody(t, sig, "2", u, false))
		return err
	}
	for i := range certFetchesPerMinute + 5 {
		err := post(i)
		want := bulletin.EUNAUTHORIZED
		if i >= certFetchesPerMinute {
			want = bulletin.ERATELIMITED
		}
		if code := bulletin.ErrorCode(err); code != want {
			t.Errorf("message %d: %v (code %q), want %q", i+1, err, code, want)
		}
	}
	if n := fetches.Load(); n != certFetchesPerMinute {
		t.Errorf("%d fetches in a minute, want %d", n, certFetchesPerMinute)
	}
	if n := dials.Load(); n != certFetchesPerMinute {
		t.Errorf("%d dials in a minute, want %d", n, certFetchesPerMinute)
	}
	// Failures on the way (here every dial) are not kept; answers are,
	// up to maxCerts.
	c.fetch = fetcherFunc(func(_ context.Context, u string) ([]byte, error) {
		fetches.Add(1)
		return nil, &statusError{host: "sns.eu-west-1.amazonaws.com", status: "404 Not Found", code: 404}
	})
	for i := range 3 * maxCerts {
		if i%certFetchesPerMinute == 0 {
			now = now.Add(time.Minute)
		}
		post(100 + i)
	}
	c.mu.Lock()
	kept := len(c.byURL)
	c.mu.Unlock()
	if kept > maxCerts || kept == 0 {
		t.Errorf("%d URLs kept, want from 1 to %d", kept, maxCerts)
	}
}

// discardLog is a log for the refusals a test makes on purpose.
func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }
