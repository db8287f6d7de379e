package subscribers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// QueueConfirm sends pending subscriber id the confirmation mail a signup
// gets: it flags the row, so that the reconciler mails it should the task
// be lost, then puts the task on c (when c is not nil). A subscriber who
// is not pending gets nothing.
func (s *Store) QueueConfirm(ctx context.Context, id int64, c queue.Enqueuer) error {
	now := sqlite.Now()
	res, err := s.db.Write.ExecContext(ctx, `UPDATE subscribers SET confirm_queued = 1, confirm_sent_at = ?
		WHERE id = ? AND status = 'pending'`, now, id)
	if err != nil {
		return fmt.Errorf("flag confirmation: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 || c == nil {
		return nil
	}
	task, err := queue.NewConfirmTask([]queue.ConfirmItem{{ID: id, SentAt: now.UnixMicro()}})
	if err != nil {
		return err
	}
	return queue.EnqueueUnique(ctx, c, task)
}

// ResendConfirm flags pending subscriber id for the confirmation mail
// again, as QueueConfirm does, for an editor whose reader lost the first
// one, and returns the task's item for the caller to queue (the
// reconciler sends a flag whose task is lost). The new mail's link
// replaces the last one's. Nothing is flagged when a confirmation went to
// the address in the last ConfirmInterval, the bound a signup keeps to,
// so that no editor's clicks mail bomb a reader: that refusal is a
// TooSoon error, saying when one may go. A reader who is not pending, or
// whose address is suppressed (a bounced reader's is), is a conflict
// saying so, and one who does not exist not found.
func (s *Store) ResendConfirm(ctx context.Context, id int64) (*queue.ConfirmItem, error) {
	now := sqlite.Now()
	res, err := s.db.Write.ExecContext(ctx, `UPDATE subscribers SET confirm_queued = 1, confirm_sent_at = ?
		WHERE id = ? AND status = 'pending' AND (confirm_sent_at IS NULL OR confirm_sent_at <= ?) AND NOT `+events.SuppressedSQL,
		now, id, now.Add(-ConfirmInterval))
	if err != nil {
		return nil, fmt.Errorf("resend confirmation: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, s.whyNoResend(ctx, id)
	}
	return &queue.ConfirmItem{ID: id, SentAt: now.UnixMicro()}, nil
}

// whyNoResend says why ResendConfirm sent nothing to subscriber id.
func (s *Store) whyNoResend(ctx context.Context, id int64) error {
	sub, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	var suppressed bool
	err = s.db.Read.QueryRowContext(ctx, `SELECT `+events.SuppressedSQL+` FROM subscribers WHERE id = ?`, id).Scan(&suppressed)
	if err != nil {
		return fmt.Errorf("resend confirmation: %w", err)
	}
	switch {
	case sub.Status == StatusBounced:
		// Most often the mail server refused the confirmation itself.
		return bulletin.Errorf(bulletin.ECONFLICT, "This reader is bounced: the mail server refused their address, so no mail goes to it.")
	case sub.Status != StatusPending:
		return bulletin.Errorf(bulletin.ECONFLICT, "Only a pending reader is sent the confirmation mail: this one is %s.", sub.Status)
	case suppressed:
		return bulletin.Errorf(bulletin.ECONFLICT, "This reader's address is on the suppression list, so no mail goes to it.")
	}
	sent, err := s.ConfirmSentAt(ctx, id)
	if err != nil {
		return err
	}
	if sent == nil {
		return bulletin.Errorf(bulletin.ECONFLICT, "The confirmation mail could not be queued: try again.")
	}
	return &TooSoon{Next: sent.Add(ConfirmInterval)}
}

// ConfirmSentAt returns when the last confirmation mail was sent, or
// queued, to subscriber id; nil when none was.
func (s *Store) ConfirmSentAt(ctx context.Context, id int64) (*time.Time, error) {
	var sent sql.NullTime
	err := s.db.Read.QueryRowContext(ctx, `SELECT confirm_sent_at FROM subscribers WHERE id = ?`, id).Scan(&sent)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, errNoSubscriber
	case err != nil:
		return nil, fmt.Errorf("confirmation sent at: %w", err)
	case !sent.Valid:
		return nil, nil
	}
	t := sent.Time.UTC()
	return &t, nil
}

// A TooSoon error refuses a confirmation mail asked for within
// ConfirmInterval of the last one: one may go from Next.
type TooSoon struct{ Next time.Time }

func (e *TooSoon) Error() string {
	return fmt.Sprintf("A confirmation mail went to this address less than %d minutes ago: another can be sent from %s.",
		int(ConfirmInterval/time.Minute), e.Next.UTC().Format("15:04 UTC"))
}
