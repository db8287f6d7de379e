package hooks

import (
	"context"
	"database/sql"
	"fmt"
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
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT e.msg_id, e.type, a.state, a.attempts, a.status_code, a.latency_ms,
		a.error, e.created_at, a.last_at, a.next_at, a.delivered_at
		FROM webhook_attempts a JOIN webhook_events e ON e.id = a.event_id
		WHERE a.endpoint_id = ? ORDER BY a.event_id DESC LIMIT ?`, id, limit)
	if err != nil {
		return nil, fmt.Errorf("webhook deliveries: %w", err)
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		var d Delivery
		var last, next, done sql.NullTime
		if err := rows.Scan(&d.ID, &d.Type, &d.State, &d.Attempts, &d.StatusCode, &d.LatencyMS,
			&d.Error, &d.CreatedAt, &last, &next, &done); err != nil {
			return nil, err
		}
		d.LastAt, d.DeliveredAt = timePtr(last), timePtr(done)
		if d.State == "pending" {
			d.NextAt = timePtr(next)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}
