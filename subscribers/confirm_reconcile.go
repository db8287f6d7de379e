package subscribers

import (
	"context"
	"database/sql"
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

// processStart is when this process started. With the embedded Redis
// (an Enqueuer that says it is Embedded) every task of the queue was made
// by this process, which had not started when a row still flagged or
// claimed from before then was flagged or claimed: no task holds it, and
// the reconciler takes it whatever its age (see lostBefore). As the
// database stores times (sqlite.Now); a variable for the tests.
var processStart = sqlite.Now()

// An embeddedQueue says whether its tasks live in the embedded Redis, in
// this process's memory, and end with it (*queue.Queue).
type embeddedQueue interface{ Embedded() bool }

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

// lostBefore returns the moment before which Reconcile takes a row still
// flagged, or claimed, as lost: reconcileAge ago, or, with the embedded
// Redis (c), when this process started, when that is later.
//
// With the embedded Redis the queue died with the last serve, by a kill
// -9 or a stop that gave up on its tasks, and the restart finds the
// signups answered just before it still flagged, or claimed by a task
// that was sending them: the start-up pass mails them, not a periodic
// one 5 to 8 minutes later. Taking a flagged row early is safe whoever
// holds it: a task claims a row only while it is flagged, one task alone.
// A claim is taken early only when a dead process made it: one made
// outside the queue, by an import with the embedded Redis sending its
// readers' confirmations in its own process, which may still run, is
// dated reconcileAge ahead (claimStamp), so the age rule alone takes it,
// as before.
//
// A claimed row may have been mailed: a task claims its rows, sends them
// all, then clears them (finishConfirms), and a process that died in
// between left rows claimed that were mailed. Taking the claim sends
// those readers the same confirmation again (its link is the same, and
// either copy confirms), as the periodic pass did once the claim was
// reconcileAge old; leaving it would lose the mail of every reader whose
// claim was cut short before the send. So a confirmation goes at least
// once, and twice only to readers of the task the process died in the
// middle of, as a campaign's messages on the wire at a kill -9 do.
//
// With an external Redis (BULLETIN_REDIS_URL) tasks outlive the process:
// one still queued, or a worker's still sending, may hold the row, and
// only the age rule applies.
func lostBefore(c queue.Enqueuer, now time.Time) time.Time {
	cutoff := now.Add(-reconcileAge)
	if e, ok := c.(embeddedQueue); ok && e.Embedded() && processStart.After(cutoff) {
		return processStart
	}
	return cutoff
}

// reconcileDueSQL reads the readers whose request holds a list no mail has
// named (holdRequest dated it after the last mail), that mail being
// ConfirmInterval old (its first argument) and sent: they are due the next
// one. signup_requests leads, as it holds only the requests waiting.
const reconcileDueSQL = `SELECT subscribers.id FROM signup_requests r CROSS JOIN subscribers ON subscribers.id = r.subscriber_id
	WHERE r.requested_at > subscribers.confirm_sent_at AND subscribers.confirm_sent_at <= ?
	AND confirm_queued = 0 AND ` + awaitingMail

// Reconcile re-enqueues confirmations whose task was lost: rows still
// flagged (or claimed by a worker that died) well after their request, or
// from before this process started with the embedded Redis (lostBefore),
// the already-subscribed mails among them (alreadyTx marks each with a
// request, through which these statements find it).
// It also sends the confirmations that a signup within ConfirmInterval of
// the last mail left due (dueConfirms): Signups with DueTasks schedules
// each for its moment (DueConfirmer), and this pass is the safety net for
// a task lost or never scheduled. It deletes signup requests whose
// link has expired. It implements queue.Reconciler.
func (s *Store) Reconcile(ctx context.Context, c queue.Enqueuer) (int, error) {
	cutoff := lostBefore(c, sqlite.Now())
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
	due, err := s.dueConfirms(ctx)
	if err != nil {
		return 0, err
	}
	items = append(items, due...)
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

// dueConfirms flags a new confirmation mail for each reader due one (see
// reconcileDueSQL) and returns them, to enqueue. The new mail names the
// whole request, and its link replaces the last one's, as a signup's would
// once the interval has passed; a reader who followed the last link since
// has no request left, and gets none.
func (s *Store) dueConfirms(ctx context.Context) ([]queue.ConfirmItem, error) {
	return s.flagDue(ctx, reconcileDueSQL)
}

// flagDue is dueConfirms for the readers query finds: reconcileDueSQL,
// maybe narrowed by conditions on args, which follow its own argument.
func (s *Store) flagDue(ctx context.Context, query string, args ...any) ([]queue.ConfirmItem, error) {
	now := sqlite.Now()
	var items []queue.ConfirmItem
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		items = items[:0]
		rows, err := tx.QueryContext(ctx, query, append([]any{now.Add(-ConfirmInterval)}, args...)...)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return err
		}
		// The mail counts toward the wait as a signup's own does
		// (confirmWait): else a signup naming another list a minute
		// after each mail had the address mailed every ConfirmInterval.
		if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET confirm_sent_at = ?, confirm_queued = 1,
			confirm_unanswered = confirm_unanswered + 1
			WHERE id IN (SELECT value FROM json_each(?))`, now, idsJSON(ids)); err != nil {
			return err
		}
		for _, id := range ids {
			items = append(items, queue.ConfirmItem{ID: id, SentAt: now.UnixMicro()})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reconcile confirmations: %w", err)
	}
	return items, nil
}
