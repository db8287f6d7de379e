package events

import (
	"context"
	"fmt"
	"time"
)

// Thresholds past which the admin is warned: below what makes Amazon SES
// review an account (5 % bounces, 0.1 % complaints) and well below
// Gmail's 0.3 % complaints, so there is time to act.
const (
	WarnBounceRate    = 0.02
	WarnComplaintRate = 0.0008
	HealthWindow      = 7 * 24 * time.Hour
)

// Health is the feedback on the mail sent since a time.
type Health struct {
	Since time.Time
	// Sent is the messages the relay took or refused at send time: the
	// deliveries sent since (bounced later or not) and the send-time
	// refusals.
	Sent int
	// Bounces counts bounce events, hard and soft; Complaints complaints:
	// those about a reader's mail only (aboutReaderSQL).
	Bounces, Complaints int
}

// BounceRate is Bounces over Sent, 0 when nothing was sent.
func (h Health) BounceRate() float64 { return rate(h.Bounces, h.Sent) }

// ComplaintRate is Complaints over Sent, 0 when nothing was sent.
func (h Health) ComplaintRate() float64 { return rate(h.Complaints, h.Sent) }

// Warn reports whether either rate passes its threshold.
func (h Health) Warn() bool {
	return h.BounceRate() > WarnBounceRate || h.ComplaintRate() > WarnComplaintRate
}

func rate(n, of int) float64 {
	if of <= 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// aboutReaderSQL holds for an event about a reader's mail: one stored
// under its reader, or under its campaign's delivery (a reader erased
// since keeps the events of the mail sent to them, without the reader:
// that mail is in the sent count). An event about no reader, an address
// no reader has (a stranger's, mail another program sent through the
// same provider) or a test send, has neither: it suppresses nothing
// (Record), and its mail is not in the sent count, so it counts in no
// rate either.
const aboutReaderSQL = `(subscriber_id IS NOT NULL OR campaign_id IS NOT NULL)`

// Health counts the mail sent and the feedback on it since since. The
// sent are counted by the hour (the table sent_hours), from the start of
// since's hour.
func (s *Store) Health(ctx context.Context, since time.Time) (Health, error) {
	h := Health{Since: since}
	// refused counts the send-time refusals, which sent_hours leaves out:
	// soft ones (a full mailbox, a policy block) as well as hard.
	var refused int
	err := s.db.Read.QueryRowContext(ctx, `SELECT
		(SELECT COALESCE(SUM(sent), 0) FROM sent_hours WHERE hour >= ?),
		(SELECT COUNT(*) FROM events WHERE at >= ? AND kind IN ('bounce_hard', 'bounce_soft') AND source = 'smtp' AND `+aboutReaderSQL+`),
		(SELECT COUNT(*) FROM events WHERE at >= ? AND kind IN ('bounce_hard', 'bounce_soft') AND `+aboutReaderSQL+`),
		(SELECT COUNT(*) FROM events WHERE at >= ? AND kind = 'complaint' AND `+aboutReaderSQL+`)`,
		since.Unix()/3600, since, since, since).Scan(&h.Sent, &refused, &h.Bounces, &h.Complaints)
	if err != nil {
		return h, fmt.Errorf("feedback health: %w", err)
	}
	h.Sent += refused
	return h, nil
}
