package hooks

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"
)

// A Delivery is one event's delivery to one endpoint: its state and its
// last attempt.
type Delivery struct {
	ID          string     `json:"id"` // the webhook-id
	Type        string     `json:"type"`
	State       string     `json:"state"` // pending, delivered or failed
	Attempts    int        `json:"attempts"`
	StatusCode  int        `json:"status_code"`
	LatencyMS   int64      `json:"latency_ms"`
	Error       string     `json:"error"`
	CreatedAt   time.Time  `json:"created_at"`
	LastAt      *time.Time `json:"last_at"`
	NextAt      *time.Time `json:"next_at"`
	DeliveredAt *time.Time `json:"delivered_at"`
}

// Deliveries returns the newest limit deliveries to endpoint id.
func (s *Store) Deliveries(ctx context.Context, id int64, limit int) ([]Delivery, error) {
	out, _, err := s.DeliveriesPage(ctx, id, 0, limit)
	return out, err
}

// DeliveriesPage returns a page of the deliveries to endpoint id, newest
// first: the limit newest older than the event after (all when after is
// 0), and the after of the next page, 0 on the last. The key is the
// event's row id, which orders them as they were made.
func (s *Store) DeliveriesPage(ctx context.Context, id, after int64, limit int) ([]Delivery, int64, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, 0, err
	}
	if after <= 0 {
		after = math.MaxInt64
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT a.event_id, e.msg_id, e.type, a.state, a.attempts, a.status_code, a.latency_ms,
		a.error, e.created_at, a.last_at, a.next_at, a.delivered_at
		FROM webhook_attempts a JOIN webhook_events e ON e.id = a.event_id
		WHERE a.endpoint_id = ? AND a.event_id < ? ORDER BY a.event_id DESC LIMIT ?`, id, after, limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("webhook deliveries: %w", err)
	}
	defer rows.Close()
	out := []Delivery{}
	var keys []int64
	for rows.Next() {
		var d Delivery
		var last, next, done sql.NullTime
		var key int64
		if err := rows.Scan(&key, &d.ID, &d.Type, &d.State, &d.Attempts, &d.StatusCode, &d.LatencyMS,
			&d.Error, &d.CreatedAt, &last, &next, &done); err != nil {
			return nil, 0, fmt.Errorf("webhook deliveries: %w", err)
		}
		keys = append(keys, key)
		d.LastAt, d.DeliveredAt = timePtr(last), timePtr(done)
		if d.State == "pending" {
			d.NextAt = timePtr(next)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("webhook deliveries: %w", err)
	}
	if len(out) <= limit {
		return out, 0, nil
	}
	return out[:limit], keys[limit-1], nil
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}
