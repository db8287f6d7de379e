package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"

	"net/mail"
)

// subEnv is a Server with the subscriber area wired on a real SQLite file
// and the embedded Redis.
type subEnv struct {
	t       testing.TB
	db      *sqlite.DB
	store   *subscribers.Store
	queue   *queue.Queue
	signups *subscribers.Signups
	signer  *subscribers.Signer
	srv     *Server
	h       http.Handler
	token   string
	sent    *capture
}

func newSubEnv(t testing.TB, rate int) *subEnv {
	t.Helper()
	ctx := context.Background()
	db := sqlitetest.Open(t)
	q := queuetest.Embedded(t)
	tmpl, err := loadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := &subEnv{t: t, db: db, queue: q, store: subscribers.NewStore(db), signer: subscribers.NewSigner([]byte("0123456789abcdef0123456789abcdef")), sent: &capture{}}
	e.store.SetSecret([]byte("0123456789abcdef0123456789abcdef"))
	e.signups = subscribers.NewSignups(e.store, q.Client, log)
	t.Cleanup(func() {
		e.signups.Close()
	})
	for _, l := range []*subscribers.List{
		{Slug: "daily-news", Name: "Daily News", Public: true},
		{Slug: "weekend-culture", Name: "Weekend Culture", Public: true},
		{Slug: "editors-desk", Name: "Editor's Desk", Public: false},
	} {
		if err := e.store.CreateList(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	ad := cheapAdmins(db)
	if e.token, err = ad.CreateToken(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	e.srv = &Server{
		Log: log, BaseURL: "http://news.test", Admins: ad, Articles: articles.NewStore(db), Subscribers: e.store,
		SubscriberDeps: SubscriberDeps{Signups: e.signups, Signer: e.signer, Pages: tmpl, SignupRate: rate},
	}
	e.h = e.srv.Handler()
	return e
}

// do serves one request from remote address ip.
func (e *subEnv) do(method, path, contentType, body string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

func (e *subEnv) json(method, path, body string) *httptest.ResponseRecorder {
	return e.do(method, path, "application/json", body)
}

func (e *subEnv) api(method, path, body string) *httptest.ResponseRecorder {
	return e.do(method, path, "application/json", body, "Authorization", "Bearer "+e.token)
}

func (e *subEnv) form(path string, v url.Values) *httptest.ResponseRecorder {
	return e.do("POST", path, "application/x-www-form-urlencoded", v.Encode())
}

// runConfirmations runs every confirmation task waiting in Redis through a
// Confirmer whose transport captures the mail.
func (e *subEnv) runConfirmations() {
	e.t.Helper()
	e.runConfirmationsVia(e.sent)
}

// runConfirmationsVia runs every confirmation task waiting in Redis
// through a Confirmer that hands the mail to tr.
func (e *subEnv) runConfirmationsVia(tr mailer.Transport) {
	e.t.Helper()
	e.signups.Flush()
	tmpl, err := loadTemplates()
	if err != nil {
		e.t.Fatal(err)
	}
	c := &subscribers.Confirmer{Store: e.store, Signer: e.signer, Templates: tmpl, Transport: tr,
		From: &mail.Address{Name: "Harbour Gazette", Address: "news@news.test"}, BaseURL: "http://news.test"}
	ins := asynq.NewInspectorFromRedisClient(e.queue.Redis())
	tasks, err := ins.ListPendingTasks(queue.QueueDefault, asynq.PageSize(1000))
	if errors.Is(err, asynq.ErrQueueNotFound) {
		return
	} else if err != nil {
		e.t.Fatal(err)
	}
	for _, ti := range tasks {
		if err := c.ProcessTask(context.Background(), asynq.NewTask(ti.Type, ti.Payload)); err != nil {
			e.t.Fatal(err)
		}
		ins.DeleteTask(queue.QueueDefault, ti.ID)
	}
}

// A capture is a mailer.Transport that keeps messages.
type capture struct {
	mu   sync.Mutex
	msgs []capturedMail
}

type capturedMail struct {
	To  []string
	Raw string
}

func (c *capture) Send(ctx context.Context, from string, to []string, msg []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, capturedMail{To: to, Raw: string(msg)})
	return nil
}

func (c *capture) all() []capturedMail {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]capturedMail(nil), c.msgs...)
}

var confirmLink = regexp.MustCompile(`http://news\.test(/confirm/[A-Za-z0-9_-]+)`)
