package web

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/bounces"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/internal/webhooks"
)

const (
	// benchHookClients is how many keep-alive connections post at once.
	benchHookClients = 8
	// benchSendGridBatch is the events of one SendGrid request, as
	// SendGrid batches them.
	benchSendGridBatch = 100
	// benchHookReaders is how many readers the database holds besides
	// those the events are about.
	benchHookReaders = 50000
)

// BenchmarkWebhookIntake posts b.N hard bounces, each for its own reader,
// from benchHookClients keep-alive clients over loopback: through the
// real handler (signature checked, parsed, recorded in batches in a real
// SQLite file holding many readers, each reader bounced and suppressed)
// and, in the same run, through a bare server that only reads the same
// bodies and answers 200. It reports events/s of both and their ratio.
// SendGrid posts batches of benchSendGridBatch events, signed with
// ECDSA; Mailgun one event per request, matched by its VERP return path.
//
//	go test ./internal/web -run '^$' -bench WebhookIntake -benchtime 20000x
func BenchmarkWebhookIntake(b *testing.B) {
	b.Run("sendgrid", func(b *testing.B) { benchWebhook(b, "sendgrid") })
	b.Run("mailgun", func(b *testing.B) { benchWebhook(b, "mailgun") })
}

func benchWebhook(b *testing.B, provider string) {
	e := newBenchHookEnv(b, b.N)
	var reqs []benchRequest
	if provider == "sendgrid" {
		reqs = e.sendGridRequests(b)
	} else {
		reqs = e.mailgunRequests(b)
	}
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"events":0}`))
	}))
	defer bare.Close()
	real := httptest.NewServer(e.h)
	defer real.Close()

	b.ResetTimer()
	bareTook := postAll(b, bare.URL, reqs)
	realTook := postAll(b, real.URL, reqs)
	b.StopTimer()

	if n := e.count(b, `SELECT COUNT(*) FROM events`); n != b.N {
		b.Fatalf("%d events recorded, want %d", n, b.N)
	}
	if n := e.count(b, `SELECT COUNT(*) FROM subscribers WHERE status = 'bounced'`); n != b.N {
		b.Fatalf("%d readers bounced, want %d", n, b.N)
	}
	bareRate := float64(b.N) / bareTook.Seconds()
	realRate := float64(b.N) / realTook.Seconds()
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(bareRate, "bare-events/s")
	b.ReportMetric(realRate, "events/s")
	b.ReportMetric(realRate/bareRate, "ratio")
}

// benchRequest is one signed webhook request.
type benchRequest struct {
	path string
	hdr  http.Header
	body []byte
}

// postAll sends every request from benchHookClients keep-alive clients
// and returns how long it took; any answer but 200 fails the benchmark.
func postAll(b *testing.B, base string, reqs []benchRequest) time.Duration {
	b.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchHookClients, MaxConnsPerHost: benchHookClients}}
	defer client.CloseIdleConnections()
	errs := make(chan error, benchHookClients)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range benchHookClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; i < len(reqs); i += benchHookClients {
				rq := reqs[i]
				req, err := http.NewRequest("POST", base+rq.path, bytes.NewReader(rq.body))
				if err != nil {
					errs <- err
					return
				}
				req.Header = rq.hdr.Clone()
				resp, err := client.Do(req)
				if err != nil {
					errs <- err
					return
				}
				msg, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("%s: %d %s", rq.path, resp.StatusCode, msg)
					return
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return took
}

// benchHookEnv is a server with SendGrid and Mailgun set up over a real
// SQLite file: a sent campaign with n deliveries to readers r1..rn, and
// benchHookReaders other readers.
type benchHookEnv struct {
	db       *sqlite.DB
	h        http.Handler
	verp     *bounces.VERP
	sgKey    *ecdsa.PrivateKey
	campaign int64
	n        int
}

func newBenchHookEnv(b *testing.B, n int) *benchHookEnv {
	b.Helper()
	db := sqlitetest.Open(b)
	s := &Server{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Events: events.NewStore(db)}
	e := &benchHookEnv{db: db, n: n, verp: bounces.NewVERP([]byte("bench secret"), "bounces.news.example.org")}
	var err error
	if e.sgKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		b.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&e.sgKey.PublicKey)
	if err != nil {
		b.Fatal(err)
	}
	sg, err := webhooks.NewSendGrid(base64.StdEncoding.EncodeToString(der), e.verp)
	if err != nil {
		b.Fatal(err)
	}
	batcher := events.NewBatcher(events.NewStore(db))
	b.Cleanup(func() { batcher.Close() })
	mg := webhooks.NewMailgun(hookMailgun, e.verp, webhooks.NewTokens(db)) // a write a request, as in serve
	s.WebhookDeps = WebhookDeps{Events: batcher, SendGrid: sg, Mailgun: mg}
	e.h = s.Handler()

	now := sqlite.Now()
	res, err := db.Write.Exec(`INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('Bench', 'sent', ?, ?)`, now, now)
	if err != nil {
		b.Fatal(err)
	}
	e.campaign, _ = res.LastInsertId()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			INSERT INTO subscribers (email, email_key, status, created_at, updated_at)
			SELECT 'r' || i || '@tidewater.test', 'r' || i || '@tidewater.test', 'confirmed', ?, ? FROM n`, []any{n, now, now}},
		{`INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at)
			SELECT ?, id, 'sent', ?, ? FROM subscribers`, []any{e.campaign, now, now}},
		{`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			INSERT INTO subscribers (email, email_key, status, created_at, updated_at)
			SELECT 'other' || i || '@example.net', 'other' || i || '@example.net', 'confirmed', ?, ? FROM n`, []any{benchHookReaders, now, now}},
	} {
		if _, err := db.Write.Exec(q.sql, q.args...); err != nil {
			b.Fatal(err)
		}
	}
	return e
}

func (e *benchHookEnv) count(b *testing.B, q string) int {
	b.Helper()
	var n int
	if err := e.db.Read.QueryRow(q).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// sendGridRequests are SendGrid batches of hard bounces of r1..rn, each
// signed as SendGrid signs it.
func (e *benchHookEnv) sendGridRequests(b *testing.B) []benchRequest {
	b.Helper()
	type sgEvent struct {
		Email     string `json:"email"`
		Timestamp int64  `json:"timestamp"`
		Event     string `json:"event"`
		Type      string `json:"type"`
		Reason    string `json:"reason"`
		Status    string `json:"status"`
		EventID   string `json:"sg_event_id"`
		MessageID string `json:"sg_message_id"`
	}
	now := time.Now()
	ts := strconv.FormatInt(now.Unix(), 10)
	var reqs []benchRequest
	for lo := 1; lo <= e.n; lo += benchSendGridBatch {
		var batch []sgEvent
		for i := lo; i < lo+benchSendGridBatch && i <= e.n; i++ {
			batch = append(batch, sgEvent{Email: "r" + strconv.Itoa(i) + "@tidewater.test", Timestamp: now.Unix(),
				Event: "bounce", Type: "bounce", Reason: "550 5.1.1 The email account that you tried to reach does not exist.",
				Status: "5.1.1", EventID: "sg-bench-" + strconv.Itoa(i), MessageID: "msg-" + strconv.Itoa(i) + ".filterdrecv"})
		}
		body, err := json.Marshal(batch)
		if err != nil {
			b.Fatal(err)
		}
		sum := sha256.Sum256(append([]byte(ts), body...))
		sig, err := ecdsa.SignASN1(rand.Reader, e.sgKey, sum[:])
		if err != nil {
			b.Fatal(err)
		}
		reqs = append(reqs, benchRequest{path: "/webhooks/sendgrid", body: body, hdr: http.Header{
			webhooks.SendGridSignatureHeader: {base64.StdEncoding.EncodeToString(sig)},
			webhooks.SendGridTimestampHeader: {ts}, "Content-Type": {"application/json"}}})
	}
	return reqs
}

// mailgunRequests are one Mailgun "failed" request per delivery, each
// naming its VERP return path and signed under hookMailgun.
func (e *benchHookEnv) mailgunRequests(b *testing.B) []benchRequest {
	b.Helper()
	rows, err := e.db.Read.Query(`SELECT s.id, s.email FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
		WHERE d.campaign_id = ? ORDER BY s.id`, e.campaign)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	tmpl := `{"signature":{"timestamp":"{{TIMESTAMP}}","token":"{{TOKEN}}","signature":"{{SIGNATURE}}"},
"event-data":{"id":%q,"timestamp":%d.5,"event":"failed","severity":"permanent","reason":"bounce","recipient":%q,
"envelope":{"sender":%q,"transport":"smtp"},
"delivery-status":{"attempt-no":1,"code":550,"enhanced-code":"5.1.1","message":"550 5.1.1 The email account that you tried to reach does not exist."}}}`
	now := time.Now()
	hdr := http.Header{"Content-Type": {"application/json"}}
	var reqs []benchRequest
	for rows.Next() {
		var sid int64
		var email string
		if err := rows.Scan(&sid, &email); err != nil {
			b.Fatal(err)
		}
		body := fmt.Sprintf(tmpl, "mg-bench-"+strconv.FormatInt(sid, 10), now.Unix(), email, e.verp.Address(e.campaign, sid))
		reqs = append(reqs, benchRequest{path: "/webhooks/mailgun", hdr: hdr,
			body: mailgunSign([]byte(body), hookMailgun, now, "tok-"+strconv.FormatInt(sid, 10))})
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return reqs
}
