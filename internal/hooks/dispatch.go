package hooks

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// Delivery limits.
const (
	// MaxAge is how long an event is retried.
	MaxAge = 24 * time.Hour
	// DisableAfter is how long an endpoint may fail before it is switched off.
	DisableAfter = 72 * time.Hour
	// Timeout bounds one request: no answer within it is a failure.
	Timeout = 10 * time.Second
	// PerEndpoint bounds the requests in flight to one endpoint, across
	// all the tasks delivering to it; the client keeps as many
	// connections to a host alive, so a burst reuses them.
	PerEndpoint = 64
	// Keep is how long events and their delivery log are kept.
	Keep = 7 * 24 * time.Hour
)

// A Dispatcher claims due attempts in batches and queues a task per batch;
// its HandleDeliver posts them. Only the primary runs one.
type Dispatcher struct {
	DB     *sqlite.DB
	Enq    queue.Enqueuer
	Log    *slog.Logger
	Client *http.Client
	// Now is the clock; tests move it.
	Now func() time.Time
	// Batch bounds the events of one task; Concurrency the requests of
	// one task in flight at once; PerEndpoint those of all tasks to one
	// endpoint.
	Batch, Concurrency, PerEndpoint int
	// Lease is how long a claimed batch is left to its task before it is
	// claimed again: longer than a task can run.
	Lease time.Duration
	// Every is how often Run looks for due attempts when idle.
	Every time.Duration

	claims atomic.Int64
	kick   chan struct{}
	gates  sync.Map // endpoint id → chan struct{}, PerEndpoint slots
}

// NewDispatcher returns a Dispatcher whose requests pass guard.
func NewDispatcher(db *sqlite.DB, enq queue.Enqueuer, guard Guard, log *slog.Logger) *Dispatcher {
	if log == nil {
		log = slog.Default()
	}
	d := &Dispatcher{
		DB: db, Enq: enq, Log: log, Client: NewClient(guard), Now: sqlite.Now,
		Batch: 100, Concurrency: 16, PerEndpoint: PerEndpoint, Lease: 3 * time.Minute, Every: 250 * time.Millisecond,
		kick: make(chan struct{}, 1),
	}
	d.claims.Store(time.Now().UnixNano())
	return d
}

// NewClient returns the HTTP client webhooks go out on: keep-alive
// connections, Timeout per request, redirects not followed (a 3xx is a
// failure), and every connection's address checked by guard after DNS.
func NewClient(guard Guard) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second, Control: guard.control}
	return &http.Client{
		Timeout: Timeout,
		Transport: &http.Transport{
			Proxy:               nil, // a proxy would dial for us, past the guard
			DialContext:         dialer.DialContext,
			MaxIdleConns:        256,
			MaxIdleConnsPerHost: PerEndpoint,
			// A hard bound beside the endpoint's: a connection goes back
			// to the pool an instant after its slot is freed, and a
			// request in that instant waits for it rather than dial.
			MaxConnsPerHost:       2 * PerEndpoint,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: Timeout,
			ForceAttemptHTTP2:     true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// gate returns the slots of requests in flight to endpoint id.
func (d *Dispatcher) gate(id int64) chan struct{} {
	if g, ok := d.gates.Load(id); ok {
		return g.(chan struct{})
	}
	g, _ := d.gates.LoadOrStore(id, make(chan struct{}, max(d.PerEndpoint, 1)))
	return g.(chan struct{})
}

// Kick wakes Run at once.
func (d *Dispatcher) Kick() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// Run releases the claims a previous process left (this is the primary,
// so no task of its own holds them), then dispatches until ctx ends,
// pruning old events once a minute.
func (d *Dispatcher) Run(ctx context.Context) {
	if n, err := d.Release(ctx); err != nil {
		d.Log.Error("webhooks: release claims", "err", err)
	} else if n > 0 {
		d.Log.Info("webhooks: released claims of a previous run", "attempts", n)
	}
	var pruned time.Time
	for {
		n, err := d.Dispatch(ctx)
		if err != nil && ctx.Err() == nil {
			d.Log.Error("webhooks: dispatch", "err", err)
		}
		if time.Since(pruned) > time.Minute {
			pruned = time.Now()
			if err := d.Prune(ctx); err != nil && ctx.Err() == nil {
				d.Log.Error("webhooks: prune", "err", err)
			}
		}
		if n == d.passLimit() {
			continue // more are due
		}
		select {
		case <-ctx.Done():
			return
		case <-d.kick:
		case <-time.After(d.Every):
		}
	}
}

func (d *Dispatcher) passLimit() int { return 20 * d.Batch }

// Release makes every claimed attempt due now. Run calls it at start-up:
// the tasks of a process that died (kill -9, a Redis restart) are lost or
// will find their claim superseded, and these rows go out again.
func (d *Dispatcher) Release(ctx context.Context) (int64, error) {
	res, err := d.DB.Write.ExecContext(ctx, `UPDATE webhook_attempts SET claim = 0, next_at = ?
		WHERE state = 'pending' AND claim != 0`, d.Now())
	if err != nil {
		return 0, fmt.Errorf("release webhook claims: %w", err)
	}
	return res.RowsAffected()
}

// Dispatch claims the due attempts of active endpoints, up to 20 batches,
// and queues a task per batch. A claim moves next_at a Lease ahead: a task
// that never runs leaves its rows due again then. It returns how many
// attempts it claimed.
func (d *Dispatcher) Dispatch(ctx context.Context) (int, error) {
	now := d.Now()
	var one int
	err := d.DB.Read.QueryRowContext(ctx, `SELECT 1 FROM webhook_attempts WHERE state = 'pending' AND next_at <= ? LIMIT 1`, now).Scan(&one)
	if err == sql.ErrNoRows {
		return 0, nil // the usual case, without taking the write lock
	} else if err != nil {
		return 0, fmt.Errorf("dispatch webhooks: %w", err)
	}
	var batches []DeliverPayload
	n := 0
	err = d.DB.Tx(ctx, func(tx *sql.Tx) error {
		batches, n = nil, 0
		rows, err := tx.QueryContext(ctx, `SELECT a.endpoint_id, a.event_id FROM webhook_attempts a
			JOIN webhook_endpoints e ON e.id = a.endpoint_id
			WHERE a.state = 'pending' AND a.next_at <= ? AND e.active = 1 ORDER BY a.next_at LIMIT ?`, now, d.passLimit())
		if err != nil {
			return err
		}
		batches, n, err = d.group(rows)
		if err != nil {
			return err
		}
		for i := range batches {
			if err := claimTx(ctx, tx, &batches[i], now.Add(d.Lease)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("dispatch webhooks: %w", err)
	}
	for _, p := range batches {
		if err := queue.EnqueueUnique(ctx, d.Enq, NewDeliverTask(p)); err != nil {
			// The rows come due again when the lease ends.
			d.Log.Warn("webhooks: enqueue failed; retried after the lease", "endpoint", p.Endpoint, "err", err)
		}
	}
	return n, nil
}

// group splits due rows into batches of one endpoint, each with its own
// claim.
func (d *Dispatcher) group(rows *sql.Rows) ([]DeliverPayload, int, error) {
	defer rows.Close()
	var out []DeliverPayload
	open := map[int64]int{} // endpoint → index of its batch being filled
	n := 0
	for rows.Next() {
		var ep, ev int64
		if err := rows.Scan(&ep, &ev); err != nil {
			return nil, 0, err
		}
		i, ok := open[ep]
		if !ok || len(out[i].Events) >= d.Batch {
			out = append(out, DeliverPayload{Endpoint: ep, Claim: d.claims.Add(1)})
			i = len(out) - 1
			open[ep] = i
		}
		out[i].Events = append(out[i].Events, ev)
		n++
	}
	return out, n, rows.Err()
}

// claimTx marks p's rows as p's until until.
func claimTx(ctx context.Context, tx *sql.Tx, p *DeliverPayload, until time.Time) error {
	args := []any{p.Claim, until, p.Endpoint}
	for _, ev := range p.Events {
		args = append(args, ev)
	}
	_, err := tx.ExecContext(ctx, `UPDATE webhook_attempts SET claim = ?, next_at = ?
		WHERE endpoint_id = ? AND state = 'pending' AND event_id IN (`+marks(len(p.Events))+`)`, args...)
	return err
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

// Prune deletes events older than Keep, with their delivery log, and
// subscriber.erased events, with the other events about the same person,
// as soon as no attempt of theirs is pending: they carry an address whose
// owner asked to be forgotten.
// It deletes 5,000 rows a statement, so as not to hold the write lock long.
func (d *Dispatcher) Prune(ctx context.Context) error {
	for {
		res, err := d.DB.Write.ExecContext(ctx, `DELETE FROM webhook_events WHERE id IN (
			SELECT id FROM webhook_events WHERE created_at < ? LIMIT 5000)`, d.Now().Add(-Keep))
		if err != nil {
			return fmt.Errorf("prune webhook events: %w", err)
		}
		if n, _ := res.RowsAffected(); n < 5000 {
			break
		}
	}
	// The other events about someone erased go too, once delivered:
	// those still pending at the erasure (ForgetSubscriber deleted the
	// rest) carry their address. Only while their subscriber.erased event
	// is kept is it known who they are, so this comes before it goes. It
	// reads every subscriber event, so it runs only when someone was
	// erased (the partial index answers that), not each minute.
	var erased bool
	if err := d.DB.Write.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM webhook_events WHERE type = 'subscriber.erased')`).Scan(&erased); err != nil {
		return fmt.Errorf("prune webhook events: %w", err)
	}
	if !erased {
		return nil
	}
	_, err := d.DB.Write.ExecContext(ctx, `DELETE FROM webhook_events WHERE type LIKE 'subscriber.%' AND type <> 'subscriber.erased'
		AND json_extract(body, '$.data.id') IN (SELECT json_extract(body, '$.data.id') FROM webhook_events WHERE type = 'subscriber.erased')
		AND NOT EXISTS (SELECT 1 FROM webhook_attempts a WHERE a.event_id = webhook_events.id AND a.state = 'pending')`)
	if err != nil {
		return fmt.Errorf("prune webhook events: %w", err)
	}
	// An erased event lasts while an event about the same person is
	// still pending, so that one is found and deleted once delivered.
	_, err = d.DB.Write.ExecContext(ctx, `DELETE FROM webhook_events WHERE type = 'subscriber.erased'
		AND NOT EXISTS (SELECT 1 FROM webhook_attempts a WHERE a.event_id = webhook_events.id AND a.state = 'pending')
		AND NOT EXISTS (SELECT 1 FROM webhook_events o JOIN webhook_attempts a ON a.event_id = o.id AND a.state = 'pending'
			WHERE o.type LIKE 'subscriber.%' AND json_extract(o.body, '$.data.id') = json_extract(webhook_events.body, '$.data.id'))`)
	if err != nil {
		return fmt.Errorf("prune webhook events: %w", err)
	}
	return nil
}
