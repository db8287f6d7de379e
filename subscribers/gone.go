package subscribers

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// A GoneRecorder is told, once the change is committed, of subscribers
// who can no longer get mail. Send workers never read SQLite, so this is
// how they learn to skip such a subscriber's deliveries already queued
// (queue.GoneSet keeps them in Redis). Its methods return nothing: it is
// best effort, SQLite stays the truth, and a reader's unsubscribe never
// fails because of it.
type GoneRecorder interface {
	// RecordGone is told of subscribers who can get no mail at all:
	// unsubscribed, erased, bounced, set to another status than
	// confirmed, or left with no active subscription.
	RecordGone(ctx context.Context, ids ...int64)
	// RecordStays is told of a subscriber who can still get mail after
	// a change committed at at: left, the campaigns still going out that
	// hold a delivery queued to them and whose lists they are on none of
	// any more (a worker knows neither their lists nor a campaign's, so
	// the primary decides for it, as its own ledger does in SQLite), and
	// back, those they are on a list of, which they get again if they
	// had left them or everything before at (confirmed again, a list
	// joined again, set back by an editor): a worker then sends their
	// deliveries still queued, as the primary's ledger does.
	RecordStays(ctx context.Context, id int64, at time.Time, left, back []int64)
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

// A departure is what a change to one subscriber's lists or status must
// tell the GoneRecorder once committed (see departureTx).
type departure struct {
	at   time.Time // when the change was made, in its transaction
	gone bool      // they can get no mail at all
	left []int64   // campaigns they can no longer get, when not gone
	back []int64   // campaigns they can get, when not gone
}

// departureTx reads, in the transaction of a change to subscriber id,
// whether they can still get mail and, if so, which campaigns still going
// out with a delivery queued to them they can no longer get, and which
// they can.
func departureTx(ctx context.Context, tx *sql.Tx, id int64) (departure, error) {
	d := departure{at: time.Now()}
	ok, err := sendableTx(ctx, tx, id)
	if err != nil || !ok {
		d.gone = true
		return d, err
	}
	rows, err := tx.QueryContext(ctx, campaignsGotSQL, id, id)
	if err != nil {
		return d, fmt.Errorf("check the campaigns still going out to them: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cid int64
		var got bool
		if err := rows.Scan(&cid, &got); err != nil {
			return d, err
		}
		if got {
			d.back = append(d.back, cid)
		} else {
			d.left = append(d.left, cid)
		}
	}
	return d, rows.Err()
}

// recordDeparture tells the GoneRecorder, if any, of d, subscriber id's.
func (s *Store) recordDeparture(ctx context.Context, id int64, d departure) {
	switch {
	case s.gone == nil:
	case d.gone:
		s.gone.RecordGone(ctx, id)
	default:
		s.gone.RecordStays(ctx, id, d.at, d.left, d.back)
	}
}

// campaignsGotSQL returns the campaigns (and digest issues) still going
// out, sending or paused, that hold a queued delivery to a subscriber
// (both arguments), each with whether the subscriber is on one of its
// lists: those they are on none of are the ones whose delivery the
// primary's ledger skips in SQLite (goneWhere in internal/campaigns, of
// a confirmed reader). Going by the campaigns still going out (the
// campaigns_status index) and their deliveries by subscriber (the UNIQUE
// index), it reads a few rows.
const campaignsGotSQL = `SELECT c.id, EXISTS (SELECT 1 FROM campaign_lists cl JOIN subscriptions x ON x.list_id = cl.list_id
		WHERE cl.campaign_id = c.id AND x.subscriber_id = ? AND x.status = 'active')
	FROM campaigns c WHERE c.status IN ('sending', 'paused')
	AND EXISTS (SELECT 1 FROM deliveries d WHERE d.campaign_id = c.id AND d.subscriber_id = ? AND d.status = 'queued')
	ORDER BY c.id`

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
