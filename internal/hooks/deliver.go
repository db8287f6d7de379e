package hooks

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// TypeDeliver is the task that posts one batch of events to one endpoint.
const TypeDeliver = "webhook:deliver"

// A DeliverPayload names a batch: the endpoint, the claim the dispatcher
// put on the rows, and the events.
type DeliverPayload struct {
	Endpoint int64   `json:"endpoint"`
	Claim    int64   `json:"claim"`
	Events   []int64 `json:"events"`
}

// NewDeliverTask returns the task of batch p. It is not retried by asynq:
// the rows carry the retries, and the dispatcher claims them again.
func NewDeliverTask(p DeliverPayload) *asynq.Task {
	b, _ := json.Marshal(p)
	return asynq.NewTask(TypeDeliver, b, asynq.MaxRetry(0), asynq.Queue(queue.QueueDefault),
		asynq.Timeout(2*time.Minute), asynq.TaskID(fmt.Sprintf("webhook:%d:%d", p.Endpoint, p.Claim)))
}

// HandleDeliver handles webhook:deliver.
func (d *Dispatcher) HandleDeliver(ctx context.Context, t *asynq.Task) error {
	var p DeliverPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("decode %s: %v: %w", TypeDeliver, err, asynq.SkipRetry)
	}
	return d.Deliver(ctx, p)
}

// A pendingEvent is one row of a batch, as loaded to be posted.
type pendingEvent struct {
	id       int64
	msgID    string
	body     []byte
	created  time.Time
	attempts int
}

// An outcome is what became of one post.
type outcome struct {
	ev      *pendingEvent
	status  int
	latency time.Duration
	err     string
	posted  bool // false: too old to try again
}

func (o outcome) ok() bool { return o.posted && o.err == "" }

// Deliver posts the events of batch p that still carry its claim,
// Concurrency at a time and within the endpoint's PerEndpoint, and records
// every outcome in one transaction.
func (d *Dispatcher) Deliver(ctx context.Context, p DeliverPayload) error {
	var u, secret string
	err := d.DB.Read.QueryRowContext(ctx, `SELECT url, secret FROM webhook_endpoints WHERE id = ?`, p.Endpoint).Scan(&u, &secret)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // deleted, with its rows
	} else if err != nil {
		return fmt.Errorf("deliver webhooks: %w", err)
	}
	evs, err := d.load(ctx, p)
	if err != nil || len(evs) == 0 {
		return err
	}
	outs := make([]outcome, len(evs))
	sem, gate := make(chan struct{}, max(d.Concurrency, 1)), d.gate(p.Endpoint)
	var wg sync.WaitGroup
	for i := range evs {
		if d.Now().Sub(evs[i].created) > MaxAge+d.Lease { // an endpoint enabled again after a while
			outs[i] = outcome{ev: &evs[i], err: "not delivered within 24 hours"}
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			// A slot of the endpoint's before the request's timeout starts.
			select {
			case gate <- struct{}{}:
			case <-ctx.Done():
				outs[i] = outcome{ev: &evs[i], posted: true, err: ctx.Err().Error()}
				return
			}
			defer func() { <-gate }()
			outs[i] = d.post(ctx, u, secret, &evs[i])
		}()
	}
	wg.Wait()
	// The outcomes are stored even when the task's time ran out while
	// posting: an event the endpoint took must not be posted again, and
	// a failed post counts towards the endpoint's backoff.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return d.record(rctx, p, outs)
}

// load returns the rows of p still pending under p's claim.
func (d *Dispatcher) load(ctx context.Context, p DeliverPayload) ([]pendingEvent, error) {
	args := []any{p.Endpoint, p.Claim}
	for _, ev := range p.Events {
		args = append(args, ev)
	}
	rows, err := d.DB.Read.QueryContext(ctx, `SELECT e.id, e.msg_id, e.body, e.created_at, a.attempts
		FROM webhook_attempts a JOIN webhook_events e ON e.id = a.event_id
		WHERE a.endpoint_id = ? AND a.claim = ? AND a.state = 'pending' AND a.event_id IN (`+marks(len(p.Events))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("deliver webhooks: %w", err)
	}
	defer rows.Close()
	var out []pendingEvent
	for rows.Next() {
		var e pendingEvent
		var body string
		if err := rows.Scan(&e.id, &e.msgID, &body, &e.created, &e.attempts); err != nil {
			return nil, err
		}
		e.body = []byte(body)
		out = append(out, e)
	}
	return out, rows.Err()
}

// post sends one event, signed for this attempt's timestamp.
func (d *Dispatcher) post(ctx context.Context, u, secret string, ev *pendingEvent) outcome {
	o := outcome{ev: ev, posted: true}
	ts := d.Now().Unix()
	sig, err := Sign(secret, ev.msgID, ts, ev.body)
	if err != nil {
		o.err = err.Error()
		return o
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(ev.body))
	if err != nil {
		o.err = "bad URL: " + err.Error()
		return o
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Bulletin-Webhooks/1")
	req.Header.Set("webhook-id", ev.msgID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", sig)
	start := time.Now()
	resp, err := d.Client.Do(req)
	o.latency = time.Since(start)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, which may hold a token
		}
		if ue != nil && ue.Timeout() {
			o.err = "no answer within 10 s"
		} else {
			o.err = err.Error()
		}
		return o
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // so the connection is kept
	resp.Body.Close()
	o.status = resp.StatusCode
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		o.err = fmt.Sprintf("answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return o
}

// Backoff is the wait after the nth failed attempt: 5 s, then four
// times longer each time, at most 5 h; with MaxAge that makes about a
// dozen attempts over 24 h.
func Backoff(n int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < n && d < 5*time.Hour; i++ {
		d *= 4
	}
	return min(d, 5*time.Hour)
}
