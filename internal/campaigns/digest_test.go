package campaigns_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

// digestEnv is a campaigns.Service on a real SQLite file and the embedded
// Redis, with a transport that keeps every message.
type digestEnv struct {
	db  *sqlite.DB
	svc *campaigns.Service
	out *keepTransport
}

type keepTransport struct {
	mu   sync.Mutex
	msgs map[string][]byte // by recipient
}

func (k *keepTransport) Send(ctx context.Context, from string, to []string, msg []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.msgs == nil {
		k.msgs = map[string][]byte{}
	}
	for _, t := range to {
		k.msgs[t] = append([]byte(nil), msg...)
	}
	return nil
}

func newDigestEnv(t *testing.T) *digestEnv {
	t.Helper()
	db := sqlitetest.Open(t)
	q := queuetest.Embedded(t)
	tmpl := builtInTemplates(t)
	out := &keepTransport{}
	svc := &campaigns.Service{
		Store: campaigns.NewStore(db), Queue: q.Client, Redis: q.Redis(),
		Signer:    subscribers.NewSigner([]byte("0123456789abcdef0123456789abcdef")),
		Templates: tmpl, Transport: out, BaseURL: "https://news.example", From: "Harbour Gazette <news@news.example>", PageSize: 3,
	}
	return &digestEnv{db: db, svc: svc, out: out}
}

func (e *digestEnv) exec(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	return execDB(t, e.db, q, args...)
}

func (e *digestEnv) list(t *testing.T, slug, digest string, public bool) int64 {
	return e.exec(t, `INSERT INTO lists (slug, name, public, digest, created_at) VALUES (?, ?, ?, ?, ?)`,
		slug, "Harbour "+slug, public, digest, time.Now().Add(-30*24*time.Hour))
}

func (e *digestEnv) reader(t *testing.T, email, status, frequency string, lists ...int64) {
	now := time.Now()
	id := e.exec(t, `INSERT INTO subscribers (email, email_key, name, status, frequency, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		email, email, "Reader", status, frequency, now, now)
	for _, l := range lists {
		e.exec(t, `INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES (?, ?, 'active', ?, ?)`, id, l, now, now)
	}
}

func (e *digestEnv) article(t *testing.T, list int64, title string, published time.Time) {
	id := e.exec(t, `INSERT INTO articles (url, title, summary, author, published_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		"https://news.example/"+strings.ReplaceAll(strings.ToLower(title), " ", "-"), title, "What happened to "+title+".", "Maren Holt", published.UTC(), sqlite.Now())
	e.exec(t, `INSERT INTO article_lists (article_id, list_id) VALUES (?, ?)`, id, list)
}

// send sends every queued batch of the digest through the mailer's sender
// under the primary's ledger, as serve and the CLI do.
func (e *digestEnv) send(t *testing.T, id int64) {
	t.Helper()
	sender := &mailer.Sender{Batch: mailer.Batch(e.out, 2), Ledger: e.svc.Ledger()}
	if _, err := e.svc.SendQueued(context.Background(), id, sender.Send); err != nil {
		t.Fatal(err)
	}
}

func TestDigestMailsNewestFirstWithListHeaders(t *testing.T) {
	e := newDigestEnv(t)
	ctx := context.Background()
	news := e.list(t, "news", "daily", true)
	day := time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC)
	campaigns.SetClock(e.svc.Store, func() time.Time { return day.Add(time.Hour) }) // the articles are news then
	e.article(t, news, "Ferry timetable changes", day.Add(-48*time.Hour))
	e.article(t, news, "Bridge reopens after repairs", day)
	e.article(t, news, "Storm warning", day.Add(-24*time.Hour))
	for _, r := range []string{"a@x.example", "b@x.example", "c@x.example", "d@x.example"} {
		e.reader(t, r, "confirmed", "daily", news)
	}
	e.reader(t, "weekly@x.example", "confirmed", "weekly", news)
	e.reader(t, "pending@x.example", "pending", "daily", news)

	d, err := e.svc.RunDigest(ctx, "news")
	if err != nil {
		t.Fatal(err)
	}
	if d.ID == 0 || d.Articles != 3 || d.Recipients != 4 {
		t.Fatalf("digest = %+v, want 3 articles to 4 readers", d)
	}
	wantSubject := "Harbour news (3 new stories): Bridge reopens after repairs"
	if d.Subject != wantSubject {
		t.Errorf("subject = %q, want %q", d.Subject, wantSubject)
	}
	e.send(t, d.ID)
	st, err := e.svc.DigestStats(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(campaigns.Stats{Total: 4, Sent: 4}, st); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	var got []string
	for to := range e.out.msgs {
		got = append(got, to)
	}
	if len(got) != 4 || e.out.msgs["weekly@x.example"] != nil || e.out.msgs["pending@x.example"] != nil {
		t.Fatalf("mailed %v, want the four confirmed daily readers", got)
	}

	msg, err := mail.ReadMessage(bytes.NewReader(e.out.msgs["a@x.example"]))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
	headers := map[string]string{
		"Subject":               subject,
		"List-Unsubscribe-Post": msg.Header.Get("List-Unsubscribe-Post"),
		"List-Id":               msg.Header.Get("List-Id"),
	}
	wantHeaders := map[string]string{
		"Subject":               wantSubject,
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"List-Id":               "Harbour news <news.news.example>",
	}
	if diff := cmp.Diff(wantHeaders, headers); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
	if !regexp.MustCompile(`^<https://news\.example/unsubscribe/[A-Za-z0-9_-]+>$`).MatchString(msg.Header.Get("List-Unsubscribe")) {
		t.Errorf("List-Unsubscribe = %q", msg.Header.Get("List-Unsubscribe"))
	}
	text, html := parts(t, msg)
	order := []string{"Bridge reopens after repairs", "Storm warning", "Ferry timetable changes"}
	for _, body := range []string{text, html} {
		last := -1
		for _, title := range order {
			i := strings.Index(body, title)
			if i <= last {
				t.Fatalf("%q out of order (newest first) in:\n%s", title, body)
			}
			last = i
		}
	}
	for _, want := range []string{
		"Bridge reopens after repairs\nhttps://news.example/bridge-reopens-after-repairs\n",
		"By Maren Holt · 20 November 2026",
		"https://news.example/unsubscribe/",
		"https://news.example/preferences/",
		"you joined the list “Harbour news”",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text part lacks %q:\n%s", want, text)
		}
	}
	for _, want := range []string{`<a href="https://news.example/bridge-reopens-after-repairs"`, "Read more", "18–20 November 2026", `name="color-scheme"`} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML part lacks %q", want)
		}
	}
}

// parts returns the decoded text and HTML parts of a multipart/alternative
// message, checking that the text comes first.
func parts(t *testing.T, msg *mail.Message) (text, html string) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	var types []string
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		var body io.Reader = p
		if p.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			body = quotedprintable.NewReader(p)
		}
		raw, err := io.ReadAll(body)
		buf := bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, ct)
		switch ct {
		case "text/plain":
			text = string(buf)
		case "text/html":
			html = string(buf)
		}
	}
	if diff := cmp.Diff([]string{"text/plain", "text/html"}, types); diff != "" {
		t.Fatalf("parts (-want +got):\n%s", diff)
	}
	return text, html
}

func TestDigestNoNewArticleNoDigest(t *testing.T) {
	e := newDigestEnv(t)
	ctx := context.Background()
	news := e.list(t, "news", "daily", true)
	e.reader(t, "a@x.example", "confirmed", "daily", news)

	d, err := e.svc.RunDigest(ctx, "news")
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != 0 || d.Articles != 0 {
		t.Fatalf("digest with no article = %+v, want none", d)
	}
	var n int
	e.db.Read.QueryRow(`SELECT COUNT(*) FROM campaigns`).Scan(&n)
	if n != 0 {
		t.Errorf("%d campaigns, want none", n)
	}
	if _, err := e.svc.RunDigest(ctx, "nope"); err == nil {
		t.Error("digest of an unknown list: no error")
	}
}

// TestDigestWindowOnce builds the digest twice: the window moved in the
// transaction that made the first, so the second finds nothing (and, run
// by hand, changes nothing), and an article added later is in the third
// and only there.
func TestDigestWindowOnce(t *testing.T) {
	e := newDigestEnv(t)
	ctx := context.Background()
	news := e.list(t, "news", "weekly", true)
	e.reader(t, "a@x.example", "confirmed", "daily", news) // a weekly list mails every reader
	e.article(t, news, "One", time.Now().Add(-time.Hour))

	first, err := e.svc.RunDigest(ctx, "news")
	if err != nil || first.ID == 0 {
		t.Fatalf("first digest = %+v, %v", first, err)
	}
	second, err := e.svc.RunDigest(ctx, "news")
	if err != nil {
		t.Fatal(err)
	}
	if second.ID != 0 || second.Articles != 0 {
		t.Fatalf("second digest = %+v, want no new articles", second)
	}
	if !second.WindowStart.Equal(first.WindowEnd) {
		t.Errorf("second window starts %v, want the first's end %v", second.WindowStart, first.WindowEnd)
	}
	e.article(t, news, "Two", time.Now().Add(-48*time.Hour)) // published before, added after
	third, err := e.svc.RunDigest(ctx, "news")
	if err != nil {
		t.Fatal(err)
	}
	if third.ID == 0 || third.Articles != 1 || !strings.HasSuffix(third.Subject, ": Two") {
		t.Fatalf("third digest = %+v, want the article added since", third)
	}
	var start, end time.Time
	if err := e.db.Read.QueryRow(`SELECT window_start, window_end FROM campaigns WHERE id = ? AND kind = 'digest'`, third.ID).Scan(&start, &end); err != nil {
		t.Fatal(err)
	}
	if !start.Equal(first.WindowEnd) || !end.Equal(third.WindowEnd) {
		t.Errorf("stored window %v–%v, want %v–%v: from the first digest's end", start, end, first.WindowEnd, third.WindowEnd)
	}
}

// TestDigestRollback checks that a digest whose transaction fails leaves
// the mark where it was, so its articles go in the next one.
func TestDigestRollback(t *testing.T) {
	e := newDigestEnv(t)
	ctx := context.Background()
	news := e.list(t, "news", "daily", true)
	e.reader(t, "a@x.example", "confirmed", "daily", news)
	e.article(t, news, "Kept", time.Now())
	// A trigger makes the digest's insert fail, as a crash before commit would.
	e.exec(t, `CREATE TRIGGER no_digest BEFORE INSERT ON campaigns WHEN NEW.kind = 'digest' BEGIN SELECT RAISE(ABORT, 'boom'); END`)
	if _, err := e.svc.RunDigest(ctx, "news"); err == nil {
		t.Fatal("digest with a failing insert: no error")
	}
	e.exec(t, `DROP TRIGGER no_digest`)
	d, err := e.svc.RunDigest(ctx, "news")
	if err != nil || d.Articles != 1 || d.ID == 0 {
		t.Fatalf("digest after the failure = %+v, %v; want the article", d, err)
	}
}

func TestDueDigests(t *testing.T) {
	e := newDigestEnv(t)
	ctx := context.Background()
	e.list(t, "daily", "daily", true)   // digest_hour 8
	e.list(t, "weekly", "weekly", true) // digest_hour 8
	e.list(t, "off", "off", true)
	mon := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) // a Monday
	slot := func(d time.Time) time.Time { return d.Add(8 * time.Hour) }
	tests := []struct {
		name string
		now  time.Time
		want []queue.DigestBuildPayload
	}{
		{"monday before the hour", mon.Add(7 * time.Hour), []queue.DigestBuildPayload{
			{List: "daily", Cadence: "daily", Slot: slot(mon.AddDate(0, 0, -1))},
			{List: "daily", Cadence: "weekly", Slot: slot(mon.AddDate(0, 0, -7))},
			{List: "weekly", Cadence: "weekly", Slot: slot(mon.AddDate(0, 0, -7))},
		}},
		{"tuesday after the hour", mon.AddDate(0, 0, 1).Add(9 * time.Hour), []queue.DigestBuildPayload{
			{List: "daily", Cadence: "daily", Slot: slot(mon.AddDate(0, 0, 1))},
			{List: "daily", Cadence: "weekly", Slot: slot(mon)},
			{List: "weekly", Cadence: "weekly", Slot: slot(mon)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.svc.DueDigests(ctx, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("due (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDigestTickOncePerSlot runs the scheduled build: once built for its
// slot, a digest is not due again until the next slot, and a second run
// of the same build task does nothing.
func TestDigestTickOncePerSlot(t *testing.T) {
	e := newDigestEnv(t)
	ctx := context.Background()
	news := e.list(t, "news", "daily", true)
	e.reader(t, "a@x.example", "confirmed", "daily", news)
	e.reader(t, "w@x.example", "confirmed", "weekly", news)
	e.article(t, news, "One", time.Now())
	due, err := e.svc.DueDigests(ctx, time.Now())
	if err != nil || len(due) != 2 {
		t.Fatalf("due = %+v, %v; want the daily digest and the weekly round-up", due, err)
	}
	for _, p := range due {
		task, _ := queue.NewDigestBuildTask(p)
		for range 2 {
			if err := e.svc.HandleDigestBuild(ctx, task); err != nil {
				t.Fatal(err)
			}
		}
	}
	var digests, deliveries int
	e.db.Read.QueryRow(`SELECT COUNT(*) FROM campaigns WHERE kind = 'digest'`).Scan(&digests)
	e.db.Read.QueryRow(`SELECT COUNT(*) FROM deliveries`).Scan(&deliveries)
	if digests != 2 || deliveries != 2 {
		t.Errorf("%d digests with %d deliveries, want 2 with one each", digests, deliveries)
	}
	if due, _ := e.svc.DueDigests(ctx, time.Now()); len(due) != 0 {
		t.Errorf("still due after the build: %+v", due)
	}
}

// TestDigestFirstWindow checks that a list's first digest (and the first
// weekly round-up of a daily list) reaches back FirstWindow and no
// further: an article added before that stays out of it, and out of every
// later digest too, so turning digests on for a list with a back catalogue
// does not mail the catalogue.
func TestDigestFirstWindow(t *testing.T) {
	tests := []struct {
		name      string
		digest    string // the list's schedule
		frequency string // its reader's
		build     func(e *digestEnv) (*campaigns.Digest, error)
	}{
		{"daily", "daily", "daily", func(e *digestEnv) (*campaigns.Digest, error) { return e.svc.RunDigest(context.Background(), "news") }},
		{"weekly", "weekly", "daily", func(e *digestEnv) (*campaigns.Digest, error) { return e.svc.RunDigest(context.Background(), "news") }},
		{"off, run by hand", "off", "daily", func(e *digestEnv) (*campaigns.Digest, error) { return e.svc.RunDigest(context.Background(), "news") }},
		{"weekly round-up of a daily list", "daily", "weekly", func(e *digestEnv) (*campaigns.Digest, error) {
			task, _ := queue.NewDigestBuildTask(queue.DigestBuildPayload{List: "news", Cadence: "weekly", Slot: time.Now()})
			if err := e.svc.HandleDigestBuild(context.Background(), task); err != nil {
				return nil, err
			}
			var d campaigns.Digest
			err := e.db.Read.QueryRow(`SELECT id, subject FROM campaigns WHERE kind = 'digest' ORDER BY id DESC LIMIT 1`).Scan(&d.ID, &d.Subject)
			return &d, err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newDigestEnv(t)
			news := e.list(t, "news", tt.digest, true)
			e.reader(t, "a@x.example", "confirmed", tt.frequency, news)
			now := time.Now()
			add := func(title string, age time.Duration) {
				at := now.Add(-age).UTC()
				id := e.exec(t, `INSERT INTO articles (url, title, summary, author, published_at, created_at) VALUES (?, ?, '', '', ?, ?)`,
					"https://news.example/"+strings.ToLower(strings.ReplaceAll(title, " ", "-")), title, at, at)
				e.exec(t, `INSERT INTO article_lists (article_id, list_id) VALUES (?, ?)`, id, news)
			}
			add("Old harbour history", campaigns.FirstWindow+time.Hour)
			add("Ferry strike ends", campaigns.FirstWindow-time.Hour)
			add("Bridge reopens", time.Minute)

			d, err := tt.build(e)
			if err != nil {
				t.Fatal(err)
			}
			if d.ID == 0 {
				t.Fatalf("first digest = %+v, want one", d)
			}
			e.send(t, d.ID)
			text, _ := parts(t, readMail(t, e.out.msgs["a@x.example"]))
			got := map[string]bool{}
			for _, title := range []string{"Old harbour history", "Ferry strike ends", "Bridge reopens"} {
				got[title] = strings.Contains(text, title)
			}
			want := map[string]bool{"Old harbour history": false, "Ferry strike ends": true, "Bridge reopens": true}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("articles in the first digest (-want +got):\n%s", diff)
			}
			if !strings.Contains(d.Subject, "2 new stories") {
				t.Errorf("subject %q, want 2 new stories", d.Subject)
			}

			add("Storm warning", 0)
			next, err := tt.build(e)
			if err != nil {
				t.Fatal(err)
			}
			if next.ID == 0 || next.ID == d.ID || !strings.Contains(next.Subject, "(1 new story): Storm warning") {
				t.Fatalf("next digest = %+v, want one of the article added since", next)
			}
			e.send(t, next.ID)
			if text, _ := parts(t, readMail(t, e.out.msgs["a@x.example"])); strings.Contains(text, "Old harbour history") {
				t.Errorf("the article from before the first window came in a later digest:\n%s", text)
			}
		})
	}
}

// readMail parses a message the keepTransport kept.
func readMail(t *testing.T, raw []byte) *mail.Message {
	t.Helper()
	if raw == nil {
		t.Fatal("no message")
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// A digest counts its readers as it inserts their deliveries, in the
// campaign's total too; with new articles but no reader for the cadence
// it is not created at all.
func TestDigestCountsReadersAndSkipsAnEmptyAudience(t *testing.T) {
	e := newDigestEnv(t)
	ctx := context.Background()
	news := e.list(t, "news", "daily", true)
	e.article(t, news, "Ferry timetable changes", time.Now().Add(-time.Hour))
	e.reader(t, "weekly@x.example", "confirmed", "weekly", news)
	e.reader(t, "pending@x.example", "pending", "daily", news)
	d, err := e.svc.RunDigest(ctx, "news")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	e.db.Read.QueryRow(`SELECT COUNT(*) FROM campaigns`).Scan(&n)
	if d.ID != 0 || d.Articles != 1 || d.Recipients != 0 || n != 0 {
		t.Fatalf("digest %+v, %d campaigns; want none built for 1 article and no daily reader", d, n)
	}

	e.article(t, news, "Bridge reopens after repairs", time.Now().Add(-time.Minute))
	e.reader(t, "a@x.example", "confirmed", "daily", news)
	e.reader(t, "b@x.example", "confirmed", "daily", news)
	if d, err = e.svc.RunDigest(ctx, "news"); err != nil {
		t.Fatal(err)
	}
	var total int
	e.db.Read.QueryRow(`SELECT total FROM campaigns WHERE id = ?`, d.ID).Scan(&total)
	if d.ID == 0 || d.Recipients != 2 || total != 2 {
		t.Errorf("digest %+v with total %d, want one to 2 readers", d, total)
	}
}
