package subscribers

import (
	"context"
	"database/sql"
	"fmt"
)

// A GoneRecorder is told, once the change is committed, of subscribers
// who can no longer get any mail: unsubscribed, erased, bounced, set to
// another status than confirmed, or left with no active subscription.
// Send workers never read SQLite, so this is how they learn to skip such
// a subscriber's deliveries already queued (queue.GoneSet keeps them in
// Redis). It returns nothing: it is best effort, SQLite stays the truth,
// and a reader's unsubscribe never fails because of it.
//
// It is told only of those who can get nothing at all, never of one who
// left some lists but not all: whether that reader is still on another
// of a campaign's lists is more than a worker can check (it knows neither
// their lists nor the campaign's), and if so they must still get it. The
// primary's own ledger, which reads SQLite, also skips a reader who left
// just the campaign's lists.
type GoneRecorder interface {
	RecordGone(ctx context.Context, ids ...int64)
}

// SetGoneRecorder sets what is told of subscribers who can no longer get
// mail; without one nobody is told.
func (s *Store) SetGoneRecorder(r GoneRecorder) { s.gone = r }

// recordGone tells the GoneRecorder, if any, of ids.
func (s *Store) recordGone(ctx context.Context, ids ...int64) {
	if s.gone != nil && len(ids) > 0 {
		s.gone.RecordGone(ctx, ids...)
	}
}

// sendableTx reports whether subscriber id can still get mail: it exists,
// is confirmed, and has an active subscription to some list.
func sendableTx(ctx context.Context, tx *sql.Tx, id int64) (bool, error) {
	var ok bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM subscribers s WHERE s.id = ? AND s.status = 'confirmed'
		AND EXISTS (SELECT 1 FROM subscriptions x WHERE x.subscriber_id = s.id AND x.status = 'active'))`, id).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check subscriber status: %w", err)
	}
	return ok, nil
}
