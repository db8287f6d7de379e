package events

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// A Recorded is an event as stored, in the shape of SPEC §6.
type Recorded struct {
	// ID is the row's id in its own table: events for bounces and
	// complaints, clicks or opens for the others.
	ID           int64  `json:"id"`
	Type         string `json:"type"` // bounce, complaint, click or open
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
	// Email is the address it was about; empty once its reader is erased,
	// and for a click or open whose delivery is not recorded.
	Email string `json:"email"`
	// URL is where a click went.
	URL string `json:"url,omitempty"`
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
	TypeClick     = "click"
	TypeOpen      = "open"
)

// The sources of clicks and opens, which are not stored in the events
// table: a tracked link (BASE/r/…) and the open pixel (BASE/o/….gif).
const (
	SourceLink  Source = "link"
	SourcePixel Source = "pixel"
)

// A Filter selects events.
type Filter struct {
	// Type is bounce, complaint or empty for both; click or open lists
	// people's clicks or opens, which have their own tables and ids, so
	// no listing mixes them with the others.
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
	if f.Type == TypeClick || f.Type == TypeOpen {
		return s.listHits(ctx, f, limit)
	}
	q := `SELECT id, kind, source, status, diagnostic, campaign_id, subscriber_id, email, at FROM events WHERE 1 = 1`
	var args []any
	// Unsubscribes are no feedback on the mail (SPEC §6 lists bounces
	// and complaints): they show on their reader's page (History).
	switch f.Type {
	case TypeBounce:
		q += ` AND kind IN ('bounce_hard', 'bounce_soft')`
	case TypeComplaint:
		q += ` AND kind = 'complaint'`
	default:
		q += ` AND kind IN ('bounce_hard', 'bounce_soft', 'complaint')`
	}
	if f.CampaignID > 0 {
		q += ` AND campaign_id = ?`
		args = append(args, f.CampaignID)
	}
	q, args = f.page(q, "id", args)
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
	out, next := pageOf(out, limit)
	return out, next, nil
}

// page adds f's keyset on the id column to q, and its order.
func (f Filter) page(q, id string, args []any) (string, []any) {
	switch {
	case f.Newest && f.After > 0:
		return q + ` AND ` + id + ` < ? ORDER BY ` + id + ` DESC`, append(args, f.After)
	case f.Newest:
		return q + ` ORDER BY ` + id + ` DESC`, args
	}
	return q + ` AND ` + id + ` > ? ORDER BY ` + id, append(args, f.After)
}

// pageOf cuts out, read with one row more than limit, to limit, and
// returns the id to page on from: 0 when no row was left over.
func pageOf(out []Recorded, limit int) ([]Recorded, int64) {
	if len(out) <= limit {
		return out, 0
	}
	return out[:limit], out[limit-1].ID
}

// listHits lists people's clicks or opens (f.Type), machine ones left
// out as in the reports. The reader is named only where the hit's
// delivery is recorded: the campaign's tracking was on, and the delivery
// was neither erased nor folded away.
func (s *Store) listHits(ctx context.Context, f Filter, limit int) ([]Recorded, int64, error) {
	q := `SELECT h.id, h.campaign_id, d.subscriber_id, COALESCE(sub.email, ''), COALESCE(cl.url, ''), h.at
		FROM clicks h
		LEFT JOIN campaign_links cl ON cl.campaign_id = h.campaign_id AND cl.idx = h.link_idx`
	source := SourceLink
	if f.Type == TypeOpen {
		q = `SELECT h.id, h.campaign_id, d.subscriber_id, COALESCE(sub.email, ''), '', h.at FROM opens h`
		source = SourcePixel
	}
	q += `
		LEFT JOIN deliveries d ON d.id = h.delivery_id
		LEFT JOIN subscribers sub ON sub.id = d.subscriber_id
		WHERE h.machine = 0`
	var args []any
	if f.CampaignID > 0 {
		q += ` AND h.campaign_id = ?`
		args = append(args, f.CampaignID)
	}
	q, args = f.page(q, "h.id", args)
	rows, err := s.db.Read.QueryContext(ctx, q+` LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list %ss: %w", f.Type, err)
	}
	defer rows.Close()
	var out []Recorded
	for rows.Next() {
		r := Recorded{Type: f.Type, Source: source}
		var cid int64
		var sid sql.NullInt64
		if err := rows.Scan(&r.ID, &cid, &sid, &r.Detail.Email, &r.Detail.URL, &r.At); err != nil {
			return nil, 0, fmt.Errorf("list %ss: %w", f.Type, err)
		}
		r.CampaignID = &cid
		if sid.Valid {
			r.SubscriberID = &sid.Int64
		}
		r.At = r.At.UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list %ss: %w", f.Type, err)
	}
	out, next := pageOf(out, limit)
	return out, next, nil
}
