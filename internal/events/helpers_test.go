package events_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// env is a database with two lists, a sent campaign and its readers.
type env struct {
	db    *sqlite.DB
	store *events.Store
	gone  *goneSet
	// campaign is a sent campaign to both lists.
	campaign int64
}

// goneSet keeps what the store tells its GoneRecorder.
type goneSet struct {
	mu  sync.Mutex
	ids []int64
}

func (g *goneSet) RecordGone(_ context.Context, ids ...int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.ids = append(g.ids, ids...)
}

func (g *goneSet) list() []int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]int64(nil), g.ids...)
}

func newEnv(t testing.TB) *env {
	t.Helper()
	db := sqlitetest.Open(t)
	e := &env{db: db, store: events.NewStore(db), gone: &goneSet{}}
	e.store.SetGoneRecorder(e.gone)
	now := sqlite.Now()
	e.exec(t, `INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'news', 'News', ?), (2, 'sport', 'Sport', ?)`, now, now)
	e.campaign = e.exec(t, `INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('Hello', 'sent', ?, ?)`, now, now)
	e.exec(t, `INSERT INTO campaign_lists (campaign_id, list_id) VALUES (?, 1), (?, 2)`, e.campaign, e.campaign)
	return e
}

// exec runs q and returns the last insert id.
func (e *env) exec(t testing.TB, q string, args ...any) int64 {
	t.Helper()
	res, err := e.db.Write.Exec(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	id, _ := res.LastInsertId()
	return id
}

// reader adds a confirmed reader on both lists with a sent delivery of
// the campaign, returning its id.
func (e *env) reader(t testing.TB, email string) int64 {
	t.Helper()
	now := sqlite.Now()
	id := e.exec(t, `INSERT INTO subscribers (email, email_key, status, created_at, updated_at, confirmed_at)
		VALUES (?, lower(?), 'confirmed', ?, ?, ?)`, email, email, now, now, now)
	e.exec(t, `INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES (?, 1, 'active', ?, ?), (?, 2, 'active', ?, ?)`,
		id, now, now, id, now, now)
	e.exec(t, `INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at) VALUES (?, ?, 'sent', ?, ?)`,
		e.campaign, id, now, now)
	return id
}

// readerState is what events change about a reader.
type readerState struct {
	Status        string
	Bounces       int
	Subscriptions string // statuses on news, sport
	Delivery      string // of the campaign
	Suppressed    bool
}

func (e *env) state(t testing.TB, id int64) readerState {
	t.Helper()
	var s readerState
	var email string
	err := e.db.Read.QueryRow(`SELECT status, bounce_count, email,
		(SELECT group_concat(status, ',') FROM (SELECT status FROM subscriptions WHERE subscriber_id = s.id ORDER BY list_id)),
		COALESCE((SELECT status FROM deliveries WHERE subscriber_id = s.id AND campaign_id = ?), '')
		FROM subscribers s WHERE id = ?`, e.campaign, id).Scan(&s.Status, &s.Bounces, &email, &s.Subscriptions, &s.Delivery)
	if err != nil {
		t.Fatal(err)
	}
	if s.Suppressed, err = e.store.Suppressed(context.Background(), email); err != nil {
		t.Fatal(err)
	}
	return s
}

// count returns the rows of the events table matching where.
func (e *env) count(t testing.TB, where string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.Read.QueryRow(`SELECT COUNT(*) FROM events WHERE `+where, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var day = 24 * time.Hour
