package subscribers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A ListLeave is where a reader stands with one list, for the unsubscribe
// page of a list's mail (TokenUnsubscribeList).
type ListLeave struct {
	Email string
	// List is the list's name; "" when the list has been deleted since
	// the mail went.
	List string
	// Left says the reader left the list, or everything.
	Left bool
	// Everything says the reader left everything: unsubscribed, or asked
	// to while bounced.
	Everything bool
	// Others are the names of the other lists whose mail the reader gets:
	// those they are active on while confirmed. A subscription still
	// waiting for its confirmation brings no mail, nor does any list to a
	// reader who bounced.
	Others []string
}

// ListLeaveOf returns where subscriber id stands with list, changing
// nothing.
func (s *Store) ListLeaveOf(ctx context.Context, id, list int64) (*ListLeave, error) {
	sub, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	everything := sub.Status == StatusUnsubscribed || sub.UnsubscribedAt != nil
	out := &ListLeave{Email: sub.Email, Everything: everything}
	var status sql.NullString
	err = s.db.Read.QueryRowContext(ctx, `SELECT l.name, x.status FROM lists l
		LEFT JOIN subscriptions x ON x.list_id = l.id AND x.subscriber_id = ? WHERE l.id = ?`, id, list).Scan(&out.List, &status)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("list leave: %w", err)
	}
	out.Left = everything || status.String == SubUnsubscribed
	if !everything && sub.Status == StatusConfirmed {
		if out.Others, err = sqlite.Column[string](s.db.Read.QueryContext(ctx, `SELECT l.name FROM subscriptions x JOIN lists l ON l.id = x.list_id
			WHERE x.subscriber_id = ? AND x.status = 'active' AND l.id != ? ORDER BY l.id`, id, list)); err != nil {
			return nil, fmt.Errorf("list leave: %w", err)
		}
	}
	return out, nil
}

// LeaveList ends subscriber id's subscription to list: the one-click
// unsubscribe of that list's mail (RFC 8058 ties List-Unsubscribe to the
// mail's List-Id). A reader it leaves getting no list's mail (see
// ListLeave.Others) has left everything, as Unsubscribe does, which ends
// any confirmation they were still asked for too, and is reported as
// unsubscribed; one still getting other lists keeps them and is reported
// as updated. A list deleted since the mail went leaves the reader's wish
// unknown but for wanting less mail: everything ends then. Doing it twice
// is fine. Send workers are told (GoneRecorder) of the campaigns still
// going out to the list that the reader no longer gets, so that they skip
// their deliveries already queued.
func (s *Store) LeaveList(ctx context.Context, id, list int64) error {
	var everything bool
	var d departure
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM subscribers WHERE id = ?`, id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoSubscriber
		} else if err != nil {
			return fmt.Errorf("leave list: %w", err)
		}
		var exists, others bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM lists WHERE id = ?),
			EXISTS (SELECT 1 FROM subscriptions WHERE subscriber_id = ? AND list_id != ? AND status = 'active')`,
			list, id, list).Scan(&exists, &others); err != nil {
			return fmt.Errorf("leave list: %w", err)
		}
		if everything = !exists || !others || status != StatusConfirmed; everything {
			return nil // Unsubscribe's own transaction, below
		}
		res, err := tx.ExecContext(ctx, `UPDATE subscriptions SET status = 'unsubscribed', updated_at = ?
			WHERE subscriber_id = ? AND list_id = ? AND status != 'unsubscribed'`, sqlite.Now(), id, list)
		if err != nil {
			return fmt.Errorf("leave list: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // left already: a second click says nothing, to workers either
		}
		if err := hooks.EmitSubscriber(ctx, tx, hooks.SubscriberUpdated, id); err != nil {
			return err
		}
		d, err = departureTx(ctx, tx, id)
		return err
	})
	if err != nil {
		return err
	}
	if everything {
		return s.Unsubscribe(ctx, id)
	}
	s.recordDeparture(ctx, id, d)
	return nil
}

// ListsLeft returns when subscriber id left each list they left (by the
// link of its mail, on their preferences page, by an editor's change or
// by leaving everything), by slug: for the editor's page of the reader.
func (s *Store) ListsLeft(ctx context.Context, id int64) (map[string]time.Time, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT l.slug, x.updated_at FROM subscriptions x JOIN lists l ON l.id = x.list_id
		WHERE x.subscriber_id = ? AND x.status = 'unsubscribed'`, id)
	if err != nil {
		return nil, fmt.Errorf("lists left: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var slug string
		var at time.Time
		if err := rows.Scan(&slug, &at); err != nil {
			return nil, fmt.Errorf("lists left: %w", err)
		}
		out[slug] = at.UTC()
	}
	return out, rows.Err()
}
