package subscribers

import (
	"context"
	"fmt"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// reconcileAge is how old a flagged row must be before the reconciler
// takes it as lost: younger ones are still on their way through the queue,
// and a claimed one (2) outlives the task's 2-minute timeout only if the
// worker died with it.
const reconcileAge = 3 * time.Minute

// reconcileFindSQL reads the flagged rows older than its first argument
// that await their mail; reconcileUnclaimSQL hands back those claimed by a
// task that died. A claim is aged by when it was made (its second
// argument, in Unix seconds), not by when the row was flagged: a task that
// runs late, a retry or a busy queue's, claims a row flagged long before,
// and its claim is live. A claim from before confirm_claimed_at has none.
// Only a row that awaits its mail matters, and saying so keeps both on
// subscribers_status rather than a scan of every reader, which the second
// would do holding the write connection. A claim left on any other row
// tells nothing: the next mail to that reader flags it afresh.
const (
	deadClaim        = `(confirm_queued = 1 OR confirm_claimed_at IS NULL OR confirm_claimed_at < ?)`
	reconcileFindSQL = `SELECT id, confirm_sent_at FROM subscribers
		WHERE confirm_queued IN (1, 2) AND ` + awaitingMail + ` AND confirm_sent_at < ? AND ` + deadClaim + ` ORDER BY id`
	reconcileUnclaimSQL = `UPDATE subscribers SET confirm_queued = 1
		WHERE confirm_queued = 2 AND confirm_sent_at < ? AND ` + deadClaim + ` AND ` + awaitingMail
)

// Reconcile re-enqueues confirmations whose task was lost: rows still
// flagged (or claimed by a worker that died) well after their request.
// It also deletes signup requests whose link has expired.
// It implements queue.Reconciler.
func (s *Store) Reconcile(ctx context.Context, c queue.Enqueuer) (int, error) {
	cutoff := sqlite.Now().Add(-reconcileAge)
	rows, err := s.db.Read.QueryContext(ctx, reconcileFindSQL, cutoff, cutoff.Unix())
	if err != nil {
		return 0, fmt.Errorf("reconcile confirmations: %w", err)
	}
	var items []queue.ConfirmItem
	for rows.Next() {
		var it queue.ConfirmItem
		var at time.Time
		if err := rows.Scan(&it.ID, &at); err != nil {
			rows.Close()
			return 0, err
		}
		it.SentAt = at.UnixMicro()
		items = append(items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if _, err := s.db.Write.ExecContext(ctx, reconcileUnclaimSQL, cutoff, cutoff.Unix()); err != nil {
		return 0, fmt.Errorf("reconcile confirmations: %w", err)
	}
	// A request whose link has expired can no longer be applied: it is
	// only data kept about someone for nothing. A day's margin covers a
	// mail that went out late, its link signed when it went.
	if _, err := s.db.Write.ExecContext(ctx, `DELETE FROM signup_requests WHERE requested_at < ?`,
		sqlite.Now().Add(-ConfirmTTL-24*time.Hour)); err != nil {
		return 0, fmt.Errorf("reconcile confirmations: %w", err)
	}
	n := 0
	for len(items) > 0 {
		chunk := items[:min(100, len(items))]
		items = items[len(chunk):]
		task, err := queue.NewConfirmTask(chunk)
		if err != nil {
			return n, err
		}
		if err := queue.EnqueueUnique(ctx, c, task); err != nil {
			return n, fmt.Errorf("reconcile confirmations: %w", err)
		}
		n += len(chunk)
	}
	return n, nil
}
