package webhooks_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bounces"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/internal/web"
	"github.com/bulletinhq/bulletin/internal/webhooks"
	"github.com/bulletinhq/bulletin/subscribers"
)

// What the four webhooks are set up with.
const (
	hsTopic    = "arn:aws:sns:eu-west-1:210987654321:bulletin-feedback"
	hsCertURL  = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-hookserver.pem"
	hsPostmark = "postmark-hook:a password long enough"
	hsMailgun  = "mailgun-signing-key-of-the-hook-server"
)

// hookServer is Bulletin's HTTP handler with the four provider webhooks
// set up, over a real SQLite file: readers on two lists, each with a sent
// delivery of one campaign, and a webhook endpoint the subscriber.*
// events are queued for (nothing delivers them).
type hookServer struct {
	t        *testing.T
	db       *sqlite.DB
	store    *events.Store
	h        http.Handler
	campaign int64
	snsKey   *rsa.PrivateKey
	sgKey    *ecdsa.PrivateKey
	tokens   int
}

// certFetcher serves the signing certificate at hsCertURL and nothing
// else: nothing leaves the process.
type certFetcher []byte

func (f certFetcher) Fetch(_ context.Context, u string) ([]byte, error) {
	if u == hsCertURL {
		return f, nil
	}
	return nil, errors.New("not served here")
}

// newHookServer starts the server with readers, by address, whose
// deliveries carry the relay id given ("" for none).
func newHookServer(t *testing.T, readers map[string]string) *hookServer {
	t.Helper()
	db := sqlitetest.Open(t)
	s := &hookServer{t: t, db: db, store: events.NewStore(db)}
	var certPEM []byte
	s.snsKey, certPEM = snsCert(t)
	var err error
	if s.sgKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&s.sgKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	verp := bounces.NewVERP([]byte("hook server secret"), "bounces.news.example.org")
	ses, err := webhooks.NewSES(hsTopic, certFetcher(certPEM), certFetcher(nil), verp)
	if err != nil {
		t.Fatal(err)
	}
	pm, err := webhooks.NewPostmark(hsPostmark, verp)
	if err != nil {
		t.Fatal(err)
	}
	sg, err := webhooks.NewSendGrid(base64.StdEncoding.EncodeToString(der), verp)
	if err != nil {
		t.Fatal(err)
	}
	batcher := events.NewBatcher(s.store)
	t.Cleanup(func() { batcher.Close() })
	srv := &web.Server{
		Log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Admins: admins.NewStore(db), Articles: articles.NewStore(db), Subscribers: subscribers.NewStore(db), Events: s.store,
		WebhookDeps: web.WebhookDeps{Events: batcher, SES: ses, Postmark: pm, SendGrid: sg,
			Mailgun: webhooks.NewMailgun(hsMailgun, verp, webhooks.NewTokens(db))},
	}
	s.h = srv.Handler()

	u, types := "http://127.0.0.1:9/hook", hooks.Types
	if _, err := hooks.NewStore(db, hooks.Guard{AllowPrivate: true}).Create(context.Background(), hooks.Input{URL: &u, Events: &types}); err != nil {
		t.Fatal(err)
	}
	now := sqlite.Now()
	s.exec(`INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'news', 'News', ?), (2, 'sport', 'Sport', ?)`, now, now)
	s.campaign = s.exec(`INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('Hello', 'sent', ?, ?)`, now, now)
	s.exec(`INSERT INTO campaign_lists (campaign_id, list_id) VALUES (?, 1), (?, 2)`, s.campaign, s.campaign)
	for addr, relayID := range readers {
		id := s.exec(`INSERT INTO subscribers (email, email_key, status, created_at, updated_at, confirmed_at)
			VALUES (?, lower(?), 'confirmed', ?, ?, ?)`, addr, addr, now, now, now)
		s.exec(`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES (?, 1, 'active', ?, ?), (?, 2, 'active', ?, ?)`,
			id, now, now, id, now, now)
		s.exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at, relay_id) VALUES (?, ?, 'sent', ?, ?, NULLIF(?, ''))`,
			s.campaign, id, now, now, relayID)
	}
	return s
}

func (s *hookServer) exec(q string, args ...any) int64 {
	s.t.Helper()
	res, err := s.db.Write.Exec(q, args...)
	if err != nil {
		s.t.Fatalf("%s: %v", q, err)
	}
	id, _ := res.LastInsertId()
	return id
}

// snsCert returns a new RSA key and a self-signed certificate of it, in
// PEM, as SNS's signing certificate.
func snsCert(t *testing.T) (*rsa.PrivateKey, []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "sns.amazonaws.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// fixture reads testdata/name.json.
func (s *hookServer) fixture(name string) []byte {
	s.t.Helper()
	b, err := os.ReadFile("testdata/" + name + ".json")
	if err != nil {
		s.t.Fatal(err)
	}
	return b
}

// post sends body to /webhooks/provider as that provider signs it (for
// SES, the SES notification inside a signed SNS message) and fails the
// test unless the answer is 200.
func (s *hookServer) post(provider string, body []byte) {
	s.t.Helper()
	hdr := http.Header{"Content-Type": {"application/json"}}
	now := time.Now()
	switch provider {
	case "ses":
		body = s.snsNotification(body)
	case "postmark":
		hdr.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(hsPostmark)))
	case "sendgrid":
		ts := strconv.FormatInt(now.Unix(), 10)
		sum := sha256.Sum256(append([]byte(ts), body...))
		sig, err := ecdsa.SignASN1(rand.Reader, s.sgKey, sum[:])
		if err != nil {
			s.t.Fatal(err)
		}
		hdr.Set(webhooks.SendGridTimestampHeader, ts)
		hdr.Set(webhooks.SendGridSignatureHeader, base64.StdEncoding.EncodeToString(sig))
	case "mailgun":
		// Each request has a token of its own, as Mailgun's retries do.
		s.tokens++
		ts, token := strconv.FormatInt(now.Unix(), 10), "hook-server-token-"+strconv.Itoa(s.tokens)
		mac := hmac.New(sha256.New, []byte(hsMailgun))
		mac.Write([]byte(ts + token))
		body = []byte(strings.NewReplacer("{{TIMESTAMP}}", ts, "{{TOKEN}}", token,
			"{{SIGNATURE}}", hex.EncodeToString(mac.Sum(nil))).Replace(string(body)))
	}
	req := httptest.NewRequest("POST", "/webhooks/"+provider, bytes.NewReader(body))
	req.Header = hdr
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		s.t.Fatalf("POST /webhooks/%s: %d %s", provider, rec.Code, rec.Body)
	}
}

// snsNotification wraps an SES notification in an SNS notification
// signed (version 2) with the server's SNS key.
func (s *hookServer) snsNotification(message []byte) []byte {
	s.t.Helper()
	s.tokens++
	id := "sns-hook-server-" + strconv.Itoa(s.tokens)
	ts := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	text := "Message\n" + string(message) + "\nMessageId\n" + id + "\nTimestamp\n" + ts +
		"\nTopicArn\n" + hsTopic + "\nType\nNotification\n"
	sum := sha256.Sum256([]byte(text))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.snsKey, crypto.SHA256, sum[:])
	if err != nil {
		s.t.Fatal(err)
	}
	b, err := json.Marshal(map[string]string{"Type": "Notification", "MessageId": id, "TopicArn": hsTopic,
		"Message": string(message), "Timestamp": ts, "SignatureVersion": "2", "SigningCertURL": hsCertURL,
		"Signature": base64.StdEncoding.EncodeToString(sig)})
	if err != nil {
		s.t.Fatal(err)
	}
	return b
}

// readerView is what the webhooks change about a reader.
type readerView struct {
	Status     string
	Lists      string // subscription statuses on news, sport
	Delivery   string // of the campaign
	Suppressed string // the reason, "" when not suppressed
	Events     string // kinds of the events stored about the address
	Hooks      string // subscriber.* events queued for the endpoint
}

// view reads reader addr as the database has it.
func (s *hookServer) view(addr string) readerView {
	s.t.Helper()
	var v readerView
	err := s.db.Read.QueryRow(`SELECT s.status,
		(SELECT group_concat(status, ',') FROM (SELECT status FROM subscriptions WHERE subscriber_id = s.id ORDER BY list_id)),
		(SELECT status FROM deliveries WHERE subscriber_id = s.id AND campaign_id = ?),
		COALESCE((SELECT reason FROM suppressions WHERE target = s.email_key), ''),
		COALESCE((SELECT group_concat(kind, ',') FROM (SELECT kind FROM events WHERE email = s.email ORDER BY id)), ''),
		COALESCE((SELECT group_concat(type, ',') FROM (SELECT type FROM webhook_events
			WHERE json_extract(body, '$.data.id') = s.id ORDER BY id)), '')
		FROM subscribers s WHERE s.email_key = lower(?)`, s.campaign, addr).
		Scan(&v.Status, &v.Lists, &v.Delivery, &v.Suppressed, &v.Events, &v.Hooks)
	if err != nil {
		s.t.Fatalf("read %s: %v", addr, err)
	}
	return v
}
