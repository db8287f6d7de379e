package events

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// HistoryLimit is how many of a reader's events their page shows.
const HistoryLimit = 20

// A Past is one event of a reader's, as their page shows it.
type Past struct {
	ID     int64
	Kind   Kind
	Source Source
	// Status and Diagnostic are what the receiving side said, for a
	// bounce or a complaint; a provider's drop of an unsubscribed
	// address may carry its own words too.
	Status, Diagnostic string
	// CampaignID is the campaign whose mail it was about, 0 when not
	// known; Campaign its subject, "" once the campaign is deleted.
	CampaignID int64
	Campaign   string
	// Email is the address the event was about: another than the
	// reader's present one when an editor has changed it since.
	Email string
	// At is when it happened, as the source tells; RecordedAt when
	// Bulletin stored it.
	At, RecordedAt time.Time
	// Ignored is set on an unsubscribe older than the reader's joining
	// again, which changed nothing (see Record).
	Ignored bool
}

// Unsubscribe reports whether p is an unsubscribe.
func (p Past) Unsubscribe() bool { return p.Kind == Unsubscribe }

// Said is what the receiving side said: the status code and the
// diagnostic, the code once when the diagnostic quotes it.
func (p Past) Said() string {
	switch {
	case p.Status == "" || strings.Contains(p.Diagnostic, p.Status):
		return p.Diagnostic
	case p.Diagnostic == "":
		return p.Status
	}
	return p.Status + " " + p.Diagnostic
}

// What is p's kind in an editor's words.
func (p Past) What() string {
	switch p.Kind {
	case BounceHard:
		return "hard bounce"
	case BounceSoft:
		return "soft bounce"
	case Unsubscribe:
		if p.Ignored {
			return "unsubscribe ignored"
		}
		return "unsubscribed"
	}
	return string(p.Kind)
}

// historySQL reads a reader's events with their campaigns' subjects.
const historySQL = `SELECT e.id, e.kind, e.source, e.status, e.diagnostic,
	COALESCE(e.campaign_id, 0), COALESCE(c.subject, ''), e.email, e.at, e.recorded_at, e.ignored
	FROM events e LEFT JOIN campaigns c ON c.id = e.campaign_id
	WHERE e.subscriber_id = ? ORDER BY e.at DESC, e.id DESC LIMIT ?`

// History returns the events stored under reader sid, the newest first,
// at most limit of them, and whether there are more. It is a search of
// events_subscriber.
func (s *Store) History(ctx context.Context, sid int64, limit int) ([]Past, bool, error) {
	rows, err := s.db.Read.QueryContext(ctx, historySQL, sid, limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("reader's events: %w", err)
	}
	defer rows.Close()
	var out []Past
	for rows.Next() {
		var p Past
		if err := rows.Scan(&p.ID, &p.Kind, &p.Source, &p.Status, &p.Diagnostic, &p.CampaignID, &p.Campaign,
			&p.Email, &p.At, &p.RecordedAt, &p.Ignored); err != nil {
			return nil, false, fmt.Errorf("reader's events: %w", err)
		}
		p.At, p.RecordedAt = p.At.UTC(), p.RecordedAt.UTC()
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("reader's events: %w", err)
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// Name is the source as an editor knows it.
func (s Source) Name() string {
	switch s {
	case SourceSMTP:
		return "the relay, at send time"
	case SourceDSN:
		return "a bounce mailed back"
	case SourceARF:
		return "a complaint report mailed back"
	case SourceNDR:
		return "a bounce mailed back"
	case SourceIMAP:
		return "the bounce mailbox"
	case SourceSES:
		return "Amazon SES"
	case SourcePostmark:
		return "Postmark"
	case SourceSendGrid:
		return "SendGrid"
	case SourceMailgun:
		return "Mailgun"
	}
	return string(s)
}
