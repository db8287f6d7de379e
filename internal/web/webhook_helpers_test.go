package web

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/bounces"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/webhooks"
)

const (
	hookTopic    = "arn:aws:sns:eu-west-1:111122223333:bulletin-feedback"
	hookCertURL  = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem"
	hookPostmark = "postmark-hook:correct horse battery"
	hookMailgun  = "key-mailgun-signing-0123456789abcdef"
)

// hookEnv is a server with the four webhooks set up over a real SQLite
// file holding a sent campaign and its readers.
type hookEnv struct {
	t        *testing.T
	srv      *Server
	db       *sqlite.DB
	h        http.Handler
	verp     *bounces.VERP
	campaign int64
	readers  map[string]int64
	snsKey   *rsa.PrivateKey
	sgKey    *ecdsa.PrivateKey
	fetcher  *fakeFetcher
	now      time.Time
}

// fakeFetcher serves the test's signing certificate and records every
// URL it was asked for; nothing leaves the process.
type fakeFetcher struct {
	mu    sync.Mutex
	pem   []byte
	asked []string
}

func (f *fakeFetcher) Fetch(_ context.Context, u string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, u)
	if u == hookCertURL {
		return f.pem, nil
	}
	if strings.Contains(u, "Action=ConfirmSubscription") {
		return []byte("<ConfirmSubscriptionResponse/>"), nil
	}
	return nil, errors.New("not found")
}

func (f *fakeFetcher) urls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.asked...)
}

// sharedSNSCert is snsCert, made once for the package and then shared by
// every test's hookEnv, which only reads it: its two RSA keys took a good
// part of each webhook test's time under the race detector.
func sharedSNSCert(t *testing.T) (*rsa.PrivateKey, []byte) {
	t.Helper()
	sharedSNS.mu.Lock()
	defer sharedSNS.mu.Unlock()
	if sharedSNS.key == nil {
		sharedSNS.key, sharedSNS.pem = snsCert(t)
	}
	return sharedSNS.key, sharedSNS.pem
}

var sharedSNS struct {
	mu  sync.Mutex
	key *rsa.PrivateKey
	pem []byte
}

// snsCert makes a local CA and an SNS-like signing certificate under it.
func snsCert(t *testing.T) (*rsa.PrivateKey, []byte) {
	t.Helper()
	caKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test Root CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "sns.amazonaws.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func newHookEnv(t *testing.T) *hookEnv {
	t.Helper()
	s, db := unroutedServer(t, nil)
	e := &hookEnv{t: t, srv: s, db: db, readers: map[string]int64{}, now: time.Now(),
		verp: bounces.NewVERP([]byte("test secret"), "bounces.news.example.org")}
	var pemCert []byte
	e.snsKey, pemCert = sharedSNSCert(t)
	e.fetcher = &fakeFetcher{pem: pemCert}
	var err error
	if e.sgKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&e.sgKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}

	store := events.NewStore(db)
	batcher := events.NewBatcher(store)
	t.Cleanup(func() { batcher.Close() })
	ses, err := webhooks.NewSES(hookTopic, e.fetcher, e.fetcher, e.verp)
	if err != nil {
		t.Fatal(err)
	}
	pm, err := webhooks.NewPostmark(hookPostmark, e.verp)
	if err != nil {
		t.Fatal(err)
	}
	sg, err := webhooks.NewSendGrid(base64.StdEncoding.EncodeToString(pubDER), e.verp)
	if err != nil {
		t.Fatal(err)
	}
	mg := webhooks.NewMailgun(hookMailgun, e.verp, webhooks.NewTokens(db))
	s.WebhookDeps = WebhookDeps{Events: batcher, SES: ses, Postmark: pm, SendGrid: sg, Mailgun: mg}
	e.h = s.Handler()

	// An endpoint for every event, so that the subscriber.* events are
	// queued where a test can see them; nothing delivers them.
	u, types := "http://127.0.0.1:9/hook", hooks.Types
	if _, err := hooks.NewStore(db, hooks.Guard{AllowPrivate: true}).Create(context.Background(), hooks.Input{URL: &u, Events: &types}); err != nil {
		t.Fatal(err)
	}
	now := sqlite.Now()
	e.exec(`INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'news', 'News', ?), (2, 'sport', 'Sport', ?)`, now, now)
	e.campaign = e.exec(`INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('Hello', 'sent', ?, ?)`, now, now)
	for _, addr := range []string{"hard@example.com", "soft@example.com", "complain@example.org", "delivered@example.com", "blocked@example.com"} {
		e.addReader(addr, "")
	}
	return e
}

// addReader adds addr, a confirmed reader of both lists, with a sent
// delivery of the campaign that the provider knows by relayID ("" for
// none).
func (e *hookEnv) addReader(addr, relayID string) {
	e.t.Helper()
	now := sqlite.Now()
	// Joined before any event of the fixtures (November 2026): an
	// unsubscribe older than the reader's joining is no longer theirs.
	joined := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	id := e.exec(`INSERT INTO subscribers (email, email_key, status, created_at, updated_at, confirmed_at)
		VALUES (?, ?, 'confirmed', ?, ?, ?)`, addr, addr, joined, joined, joined)
	e.exec(`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES (?, 1, 'active', ?, ?), (?, 2, 'active', ?, ?)`,
		id, joined, joined, id, joined, joined)
	e.exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at, relay_id) VALUES (?, ?, 'sent', ?, ?, NULLIF(?, ''))`,
		e.campaign, id, now, now, relayID)
	e.readers[addr] = id
}

func (e *hookEnv) exec(q string, args ...any) int64 {
	e.t.Helper()
	res, err := e.db.Write.Exec(q, args...)
	if err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	id, _ := res.LastInsertId()
	return id
}

// fixture reads a provider fixture, with the VERP address of the
// campaign's delivery to hard@example.com as its return path.
func (e *hookEnv) fixture(name string) []byte {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "webhooks", "testdata", name+".json"))
	if err != nil {
		e.t.Fatal(err)
	}
	return bytes.ReplaceAll(b, []byte("{{RETURN_PATH}}"), []byte(e.verp.Address(e.campaign, e.readers["hard@example.com"])))
}

// post sends body to path with hdr and returns the status.
func (e *hookEnv) post(path string, hdr http.Header, body []byte) int {
	e.t.Helper()
	req := httptest.NewRequest("POST", path, bytes.NewReader(body))
	for k, v := range hdr {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec.Code
}

// snsEnvelope wraps an SES notification in a signed SNS notification.
func (e *hookEnv) snsEnvelope(id string, message []byte, version string) []byte {
	return e.snsEnvelopeFrom(hookTopic, id, message, version)
}

// snsEnvelopeFrom is snsEnvelope from another topic.
func (e *hookEnv) snsEnvelopeFrom(topic, id string, message []byte, version string) []byte {
	m := map[string]string{"Type": "Notification", "MessageId": id, "TopicArn": topic,
		"Message": string(message), "Timestamp": e.now.UTC().Format("2006-01-02T15:04:05.000Z"),
		"SignatureVersion": version, "SigningCertURL": hookCertURL,
		"UnsubscribeURL": "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=" + topic + ":1"}
	text := "Message\n" + m["Message"] + "\nMessageId\n" + id + "\nTimestamp\n" + m["Timestamp"] +
		"\nTopicArn\n" + topic + "\nType\nNotification\n"
	m["Signature"] = e.snsSign(text, version)
	b, _ := json.Marshal(m)
	return b
}

// snsConfirmation is a signed SubscriptionConfirmation.
func (e *hookEnv) snsConfirmation(subscribeURL, certURL string) []byte {
	m := map[string]string{"Type": "SubscriptionConfirmation", "MessageId": "conf-1", "Token": "tok-123",
		"TopicArn": hookTopic, "Message": "You have chosen to subscribe to the topic " + hookTopic,
		"SubscribeURL": subscribeURL, "Timestamp": "2026-11-30T09:00:00.000Z", "SignatureVersion": "1",
		"SigningCertURL": certURL}
	text := "Message\n" + m["Message"] + "\nMessageId\nconf-1\nSubscribeURL\n" + subscribeURL +
		"\nTimestamp\n" + m["Timestamp"] + "\nToken\ntok-123\nTopicArn\n" + hookTopic + "\nType\nSubscriptionConfirmation\n"
	m["Signature"] = e.snsSign(text, "1")
	b, _ := json.Marshal(m)
	return b
}

func (e *hookEnv) snsSign(text, version string) string {
	var sig []byte
	var err error
	if version == "1" {
		sum := sha1.Sum([]byte(text))
		sig, err = rsa.SignPKCS1v15(rand.Reader, e.snsKey, crypto.SHA1, sum[:])
	} else {
		sum := sha256.Sum256([]byte(text))
		sig, err = rsa.SignPKCS1v15(rand.Reader, e.snsKey, crypto.SHA256, sum[:])
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// sendGridHeaders signs body as SendGrid does, at ts.
func (e *hookEnv) sendGridHeaders(body []byte, ts time.Time) http.Header {
	tss := strconv.FormatInt(ts.Unix(), 10)
	sum := sha256.Sum256(append([]byte(tss), body...))
	sig, err := ecdsa.SignASN1(rand.Reader, e.sgKey, sum[:])
	if err != nil {
		e.t.Fatal(err)
	}
	return http.Header{webhooks.SendGridSignatureHeader: {base64.StdEncoding.EncodeToString(sig)},
		webhooks.SendGridTimestampHeader: {tss}, "Content-Type": {"application/json"}}
}

// mailgunSign fills the signature placeholders of a Mailgun fixture with
// a fresh token signed at ts under key.
func mailgunSign(body []byte, key string, ts time.Time, token string) []byte {
	tss := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(tss + token))
	r := strings.NewReplacer("{{TIMESTAMP}}", tss, "{{TOKEN}}", token, "{{SIGNATURE}}", hex.EncodeToString(mac.Sum(nil)))
	return []byte(r.Replace(string(body)))
}

func basicAuth(userPass string) http.Header {
	return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(userPass))}}
}

// hookState is what the webhooks change, for every reader.
type hookState struct {
	Status   map[string]string // by address
	Delivery string            // of hard@example.com
	Events   int
}

func (e *hookEnv) state() hookState {
	e.t.Helper()
	st := hookState{Status: map[string]string{}}
	rows, err := e.db.Read.Query(`SELECT email, status FROM subscribers`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, s string
		if err := rows.Scan(&a, &s); err != nil {
			e.t.Fatal(err)
		}
		st.Status[a] = s
	}
	if err := e.db.Read.QueryRow(`SELECT status FROM deliveries WHERE subscriber_id = ?`, e.readers["hard@example.com"]).Scan(&st.Delivery); err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.Read.QueryRow(`SELECT COUNT(*) FROM events`).Scan(&st.Events); err != nil {
		e.t.Fatal(err)
	}
	return st
}

// readerView is what the webhooks change about one reader.
type readerView struct {
	Status     string
	Lists      string // subscription statuses on news, sport
	Delivery   string // of the campaign
	Suppressed string // the reason, "" when not suppressed
	Events     string // kinds of the events stored about the address
	Hooks      string // subscriber.* events queued for the endpoint
}

// view reads reader addr as the database has it.
func (e *hookEnv) view(addr string) readerView {
	e.t.Helper()
	var v readerView
	err := e.db.Read.QueryRow(`SELECT s.status,
		(SELECT group_concat(status, ',') FROM (SELECT status FROM subscriptions WHERE subscriber_id = s.id ORDER BY list_id)),
		(SELECT status FROM deliveries WHERE subscriber_id = s.id AND campaign_id = ?),
		COALESCE((SELECT reason FROM suppressions WHERE target = s.email_key), ''),
		COALESCE((SELECT group_concat(kind, ',') FROM (SELECT kind FROM events WHERE email = s.email ORDER BY id)), ''),
		COALESCE((SELECT group_concat(type, ',') FROM (SELECT type FROM webhook_events
			WHERE json_extract(body, '$.data.id') = s.id ORDER BY id)), '')
		FROM subscribers s WHERE s.email_key = lower(?)`, e.campaign, addr).
		Scan(&v.Status, &v.Lists, &v.Delivery, &v.Suppressed, &v.Events, &v.Hooks)
	if err != nil {
		e.t.Fatalf("read %s: %v", addr, err)
	}
	return v
}

// rates returns the bounces and complaints the sending health counts.
func (e *hookEnv) rates() (bounces, complaints int) {
	e.t.Helper()
	h, err := events.NewStore(e.db).Health(context.Background(), time.Unix(0, 0))
	if err != nil {
		e.t.Fatal(err)
	}
	return h.Bounces, h.Complaints
}
