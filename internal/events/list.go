package events

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// A Recorded is an event as stored, in the shape of SPEC §6.
type Recorded struct {
	ID           int64  `json:"id"`
	Type         string `json:"type"` // bounce or complaint
	SubscriberID *int64 `json:"subscriber_id"`
	CampaignID   *int64 `json:"campaign_id"`
	Source       Source `json:"source"`
	Detail       Detail `json:"detail"`
	// At is when it happened.
	At time.Time `json:"at"`
}

// Detail is what an event says beyond its type.
type Detail struct {
	// Bounce is hard or soft, for a bounce.
	Bounce     string `json:"bounce,omitempty"`
	Status     string `json:"status"`
	Diagnostic string `json:"diagnostic"`
	// Email is the address it was about; empty once its reader is erased.
	Email string `json:"email"`
}

// Kind is the event's kind as stored: bounce_hard, bounce_soft or complaint.
func (r Recorded) Kind() Kind {
	if r.Type == "bounce" {
		return Kind("bounce_" + r.Detail.Bounce)
	}
	return Kind(r.Type)
}

// Types an event listing can be filtered by.
const (
	TypeBounce    = "bounce"
	TypeComplaint = "complaint"
)

// A Filter selects events.
type Filter struct {
	// Type is bounce, complaint or empty for both.
	Type string
	// CampaignID, when set, keeps the events of that campaign or digest.
	CampaignID int64
	// After pages on: events with a greater id, oldest first. With
	// Newest, events with a smaller id (0: from the newest), newest first.
	After  int64
	Newest bool
	// Limit is the page size: 50 when 0.
	Limit int
}

// List returns a page of events and the id to page on from, 0 on the last
// page.
func (s *Store) List(ctx context.Context, f Filter) ([]Recorded, int64, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	q := `SELECT id, kind, source, status, diagnostic, campaign_id, subscriber_id, email, at FROM events WHERE 1 = 1`
	var args []any
	switch f.Type {
	case TypeBounce:
		q += ` AND kind IN ('bounce_hard', 'bounce_soft')`
	case TypeComplaint:
		q += ` AND kind = 'complaint'`
	}
	if f.CampaignID > 0 {
		q += ` AND campaign_id = ?`
		args = append(args, f.CampaignID)
	}
	switch {
	case f.Newest && f.After > 0:
		q += ` AND id < ? ORDER BY id DESC`
		args = append(args, f.After)
	case f.Newest:
		q += ` ORDER BY id DESC`
	default:
		q += ` AND id > ? ORDER BY id`
		args = append(args, f.After)
	}
	rows, err := s.db.Read.QueryContext(ctx, q+` LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	var out []Recorded
	for rows.Next() {
		var r Recorded
		var kind string
		var cid, sid sql.NullInt64
		if err := rows.Scan(&r.ID, &kind, &r.Source, &r.Detail.Status, &r.Detail.Diagnostic, &cid, &sid, &r.Detail.Email, &r.At); err != nil {
			return nil, 0, fmt.Errorf("list events: %w", err)
		}
		r.Type = TypeComplaint
		switch Kind(kind) {
		case BounceHard:
			r.Type, r.Detail.Bounce = TypeBounce, "hard"
		case BounceSoft:
			r.Type, r.Detail.Bounce = TypeBounce, "soft"
		}
		if cid.Valid {
			r.CampaignID = &cid.Int64
		}
		if sid.Valid {
			r.SubscriberID = &sid.Int64
		}
		r.At = r.At.UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list events: %w", err)
	}
	var next int64
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	return out, next, nil
}
