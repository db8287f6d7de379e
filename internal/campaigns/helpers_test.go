package campaigns_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
	"github.com/bulletinhq/bulletin/templates"
)

// fakeQueue records enqueued tasks and refuses a second task with an ID
// still held, as asynq does.
type fakeQueue struct {
	mu    sync.Mutex
	tasks []*asynq.Task
	ids   map[string]bool
}

func (q *fakeQueue) EnqueueContext(ctx context.Context, t *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, o := range opts {
		if o.Type() == asynq.TaskIDOpt {
			id := o.Value().(string)
			if q.ids[id] {
				return nil, asynq.ErrTaskIDConflict
			}
			if q.ids == nil {
				q.ids = map[string]bool{}
			}
			q.ids[id] = true
		}
	}
	q.tasks = append(q.tasks, t)
	return &asynq.TaskInfo{}, nil
}

// take returns and forgets the tasks of type typ, freeing their IDs as a
// finished task does.
func (q *fakeQueue) take(typ string) []*asynq.Task {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out, rest []*asynq.Task
	for _, t := range q.tasks {
		if t.Type() == typ {
			out = append(out, t)
		} else {
			rest = append(rest, t)
		}
	}
	q.tasks = rest
	q.ids = nil
	return out
}

type env struct {
	db  *sqlite.DB
	svc *campaigns.Service
	q   *fakeQueue
}

// builtIn are the embedded templates, parsed once for the package's tests:
// under the race detector a parse took 0.7 to 1.5 s on the loaded test
// machine, more than the rest of many tests, and the env helpers parsed
// them again for each of over a hundred tests. Campaigns only renders
// mail with them (Mail), which leaves a Templates as it was: html/template
// escapes a template once, at its first Execute, under a lock of its own.
// A test that would call SetBrand, or needs templates from a folder, loads
// its own with templates.Load: a brand set on these would reach every
// test after it.
var builtIn struct {
	once sync.Once
	tmpl *templates.Templates
	err  error
}

// builtInTemplates returns the embedded templates, parsed once.
func builtInTemplates(t testing.TB) *templates.Templates {
	t.Helper()
	builtIn.once.Do(func() { builtIn.tmpl, builtIn.err = templates.Load("") })
	if builtIn.err != nil {
		t.Fatal(builtIn.err)
	}
	return builtIn.tmpl
}

func newEnv(t testing.TB) *env {
	t.Helper()
	db := sqlitetest.Open(t)
	tmpl := builtInTemplates(t)
	q := &fakeQueue{}
	svc := &campaigns.Service{
		Store: campaigns.NewStore(db), Queue: q, Signer: subscribers.NewSigner([]byte("0123456789abcdef0123456789abcdef")),
		Templates: tmpl, BaseURL: "https://news.example", From: "Harbour Gazette <news@news.example>", PageSize: 7,
	}
	return &env{db: db, svc: svc, q: q}
}

func (e *env) exec(t testing.TB, q string, args ...any) { t.Helper(); execDB(t, e.db, q, args...) }

// execDB runs q on db's write connection and returns the id of the row it
// inserted, if any.
func execDB(t testing.TB, db *sqlite.DB, q string, args ...any) int64 {
	t.Helper()
	res, err := db.Write.Exec(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	id, _ := res.LastInsertId()
	return id
}

// addReaders adds n confirmed subscribers, r00@example.com and on, to
// lists and returns their ids.
func (e *env) addReaders(t testing.TB, n int, lists ...int64) []int64 {
	t.Helper()
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = e.addSubscriber(t, fmt.Sprintf("r%02d@example.com", i), "confirmed", lists...)
	}
	return ids
}

// addList adds a list and returns its id.
func (e *env) addList(t testing.TB, slug string) int64 {
	t.Helper()
	res, err := e.db.Write.Exec(`INSERT INTO lists (slug, name, created_at) VALUES (?, ?, ?)`, slug, "List "+slug, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	return id
}

// addSubscriber adds a subscriber with status, subscribed (active) to lists.
func (e *env) addSubscriber(t testing.TB, email, status string, lists ...int64) int64 {
	t.Helper()
	now := time.Now()
	res, err := e.db.Write.Exec(`INSERT INTO subscribers (email, email_key, name, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		email, email, "Reader "+email, status, now, now)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	for _, l := range lists {
		e.exec(t, `INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES (?, ?, 'active', ?, ?)`, id, l, now, now)
	}
	return id
}

// fanout runs the fan-out task(s) queued so far until none is left.
func (e *env) fanout(t testing.TB) {
	t.Helper()
	for {
		ts := e.q.take(queue.TypeCampaignFanout)
		if len(ts) == 0 {
			return
		}
		for _, task := range ts {
			if err := e.svc.HandleFanout(context.Background(), task); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// sendKicked sends campaign id and returns the batches its fan-out hands
// to serve's own sender (Kick), which it takes no more after.
func (e *env) sendKicked(t testing.TB, id int64) []*queue.SendPayload {
	t.Helper()
	if _, err := e.svc.Send(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	var kicked []*queue.SendPayload
	e.svc.Kick = func(p *queue.SendPayload) { kicked = append(kicked, p) }
	e.fanout(t)
	e.svc.Kick = nil
	return kicked
}

// recipientsKicked sends campaign id as sendKicked does and returns the
// recipients of all its batches, failing unless there are want of them.
func (e *env) recipientsKicked(t testing.TB, id int64, want int) []queue.Recipient {
	t.Helper()
	var rs []queue.Recipient
	for _, p := range e.sendKicked(t, id) {
		rs = append(rs, p.Recipients...)
	}
	if len(rs) != want {
		t.Fatalf("%d recipients, want %d", len(rs), want)
	}
	return rs
}

// sendTo schedules campaign c, sends it, fans it out and hands every
// mail:send task to a mailer.Sender that composes each mail and sends it
// over SMTP to srv on the loopback, as serve's worker does.
func (e *env) sendTo(t *testing.T, c *campaigns.Campaign, srv *smtptest.Server) {
	t.Helper()
	ctx := context.Background()
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Send(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	e.deliverQueued(t, srv)
}

// deliverQueued runs the queued fan-out and hands every mail:send task to
// a mailer.Sender that composes each mail and sends it over SMTP to srv
// on the loopback, as serve's worker does.
func (e *env) deliverQueued(t *testing.T, srv *smtptest.Server) {
	t.Helper()
	e.fanout(t)
	sender := &mailer.Sender{Batch: mailtest.SMTPTo(t, srv.URL()), Ledger: e.svc.Ledger()}
	for _, task := range e.q.take(queue.TypeMailSend) {
		p := payload(t, task)
		if err := sender.Send(context.Background(), &p); err != nil {
			t.Fatal(err)
		}
	}
}

func payload(t testing.TB, task *asynq.Task) queue.SendPayload {
	t.Helper()
	var p queue.SendPayload
	if err := json.Unmarshal(task.Payload(), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// countingSender accepts every message and counts them per recipient;
// fail says which to fail, once, with which error.
type countingSender struct {
	mu     sync.Mutex
	counts map[string]int
	fail   map[string]error
}

func (c *countingSender) SendBatch(ctx context.Context, msgs []mailer.Outgoing) []error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[string]int{}
	}
	errs := make([]error, len(msgs))
	for i, m := range msgs {
		if err, ok := c.fail[m.To]; ok {
			errs[i] = err
			delete(c.fail, m.To)
			continue
		}
		c.counts[m.To]++
	}
	return errs
}

func (e *env) deliveryStatuses(t *testing.T, cid int64) map[string]string {
	t.Helper()
	rows, err := e.db.Read.Query(`SELECT s.email, d.status FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id WHERE d.campaign_id = ?`, cid)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var email, status string
		if err := rows.Scan(&email, &status); err != nil {
			t.Fatal(err)
		}
		out[email] = status
	}
	return out
}

func (e *env) create(t testing.TB, lists ...string) int64 {
	t.Helper()
	c := &campaigns.Campaign{Subject: "Hello", Body: "Hi {{ .Name }}", Lists: lists}
	if err := e.svc.Schedule(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

var _ = fmt.Sprint
var _ = sql.ErrNoRows

// envelopeTransport keeps each message with its envelope.
type envelopeTransport struct {
	mu   sync.Mutex
	msgs []envelopeMsg
}

type envelopeMsg struct {
	from string
	to   []string
	data []byte
}

func (k *envelopeTransport) Send(ctx context.Context, from string, to []string, msg []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.msgs = append(k.msgs, envelopeMsg{from, append([]string(nil), to...), append([]byte(nil), msg...)})
	return nil
}
