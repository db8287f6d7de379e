package hooks

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// tasks records what the dispatcher enqueues, so a test runs the batches
// itself (or loses them).
type tasks struct {
	mu  sync.Mutex
	got []*asynq.Task
}

func (q *tasks) EnqueueContext(_ context.Context, t *asynq.Task, _ ...asynq.Option) (*asynq.TaskInfo, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.got = append(q.got, t)
	return &asynq.TaskInfo{}, nil
}

// take returns the batches enqueued since the last take.
func (q *tasks) take(t testing.TB) []DeliverPayload {
	t.Helper()
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []DeliverPayload
	for _, task := range q.got {
		var p DeliverPayload
		if err := json.Unmarshal(task.Payload(), &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	q.got = nil
	return out
}

// harness is a database, a store, a dispatcher on a clock the test moves
// and the tasks it enqueued.
type harness struct {
	db    *sqlite.DB
	store *Store
	d     *Dispatcher
	q     *tasks
	now   time.Time
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	// A minute ahead: what SendTest writes at the real time is due.
	h := &harness{db: sqlitetest.Open(t), q: &tasks{}, now: sqlite.Now().Add(time.Minute)}
	guard := Guard{AllowPrivate: true}
	h.store = NewStore(h.db, guard)
	h.d = NewDispatcher(h.db, h.q, guard, nil)
	h.d.Now = func() time.Time { return h.now }
	return h
}

// endpoint creates an endpoint on u wanting evs.
func (h *harness) endpoint(t testing.TB, u string, evs ...string) *Endpoint {
	t.Helper()
	e, err := h.store.Create(context.Background(), Input{URL: &u, Events: &evs})
	if err != nil {
		t.Fatalf("create endpoint: %v", err)
	}
	return e
}

// emit commits one event of typ, dated by the test's clock.
func (h *harness) emit(t *testing.T, typ string, data any) {
	t.Helper()
	ctx := context.Background()
	err := h.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := Emit(ctx, tx, typ, data); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE webhook_events SET created_at = ? WHERE id = (SELECT MAX(id) FROM webhook_events)`, h.now); err != nil {
			return err
		}
		_, err := tx.Exec(`UPDATE webhook_attempts SET next_at = ? WHERE event_id = (SELECT MAX(id) FROM webhook_events)`, h.now)
		return err
	})
	if err != nil {
		t.Fatalf("emit: %v", err)
	}
}

// round dispatches what is due and delivers every batch; it returns the
// number of batches.
func (h *harness) round(t *testing.T) int {
	t.Helper()
	if _, err := h.d.Dispatch(context.Background()); err != nil {
		t.Fatalf("dispatch: %v", err)
	}
	ps := h.q.take(t)
	for _, p := range ps {
		if err := h.d.Deliver(context.Background(), p); err != nil {
			t.Fatalf("deliver: %v", err)
		}
	}
	return len(ps)
}

// count returns a single integer the query selects.
func count(t *testing.T, db *sqlite.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Read.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// A hit is one request the receiver got, its signature checked by
// verify.
type hit struct {
	ID, Timestamp string
	Body          map[string]any
	Verified      bool
}

// receiver is an httptest server on 127.0.0.1 answering codes in turn
// (the last one from then on), checking every signature with secret.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	codes  []int
	hits   []hit
	secret string
}

func newReceiver(t *testing.T, codes ...int) *receiver {
	r := &receiver{codes: codes}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		h := hit{ID: req.Header.Get("webhook-id"), Timestamp: req.Header.Get("webhook-timestamp")}
		json.Unmarshal(body, &h.Body)
		h.Verified = verify(r.secret, h.ID, h.Timestamp, body, req.Header.Get("webhook-signature"))
		code := r.codes[min(len(r.hits), len(r.codes)-1)]
		r.hits = append(r.hits, h)
		r.mu.Unlock()
		w.WriteHeader(code)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) got() []hit {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hit(nil), r.hits...)
}

// verify checks a Standard Webhooks signature header the way a receiver
// would, written here apart from Sign: the key is the base64 after
// "whsec_", the signed content id.timestamp.body, and the header a
// space-separated list of "v1,<base64>" of which one must match.
func verify(secret, id, timestamp string, body []byte, header string) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, key)
	io.WriteString(mac, id)
	io.WriteString(mac, ".")
	io.WriteString(mac, timestamp)
	io.WriteString(mac, ".")
	mac.Write(body)
	want := mac.Sum(nil)
	for _, part := range strings.Fields(header) {
		version, sig, ok := strings.Cut(part, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err == nil && hmac.Equal(got, want) {
			return true
		}
	}
	return false
}
