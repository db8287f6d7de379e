package subscribers

import (
	"context"
	"fmt"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A reader of a daily list is in one of its two digest windows, the daily
// digests' or the weekly round-ups'. A change of frequency is noted by a
// trigger (frequency_switches) and takes effect on each list with its next
// digest of the new frequency (campaigns' changeOver); until then the
// reader stays in the window they were in, their subscription's stream.

// SettleSwitchesSQL turns the changes of frequency noted since the last
// digest build into the streams of the readers' subscriptions to the
// lists with two windows: the stream they have, or else the frequency
// they had before their first change since, kept only when it is not the
// frequency they have now. An ended subscription keeps its stream too: a
// reader who comes back before the list's next digest of their new
// frequency is in the window their past digests there were of, so none
// comes twice. A pending one gets none: a list they wait to join never
// mailed them a digest, so they join it in the window of their
// frequency. It ends with the open subquery of the readers to settle;
// close it with ")" for all, or with " WHERE subscriber_id = ?)" for
// one. The notes settled are then deleted.
const SettleSwitchesSQL = `UPDATE subscriptions SET stream = NULLIF(COALESCE(stream,
		(SELECT w.frequency FROM frequency_switches w WHERE w.subscriber_id = subscriptions.subscriber_id ORDER BY w.id LIMIT 1)),
	(SELECT s.frequency FROM subscribers s WHERE s.id = subscriptions.subscriber_id))
	WHERE status <> 'pending' AND list_id IN (SELECT id FROM lists WHERE digest = 'daily' UNION SELECT list_id FROM digest_rollup_marks)
	AND subscriber_id IN (SELECT subscriber_id FROM frequency_switches`

// settleSwitchesOf settles reader id's noted changes of frequency before
// they join a list: the windows they are in stay on the lists they were
// on, and a list they join now takes them in the window of the frequency
// they have now. Settled later, by the next build, the note would put the
// new list in their old window too: a reader who turned weekly would get
// a few daily digests from a list they joined after.
func settleSwitchesOf(ctx context.Context, tx sqlite.Querier, id int64) error {
	var noted bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM frequency_switches WHERE subscriber_id = ?)`, id).Scan(&noted); err != nil {
		return fmt.Errorf("settle changes of frequency: %w", err)
	}
	if !noted {
		return nil
	}
	if _, err := tx.ExecContext(ctx, SettleSwitchesSQL+` WHERE subscriber_id = ?)`, id); err != nil {
		return fmt.Errorf("settle changes of frequency: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM frequency_switches WHERE subscriber_id = ?`, id); err != nil {
		return fmt.Errorf("settle changes of frequency: %w", err)
	}
	return nil
}

// activatePending makes reader id's pending subscriptions active. Their
// notes are settled first, so that a list they were waiting to join is
// not put in their old window (see settleSwitchesOf); one ended and
// joined again through pending keeps the window it had.
func activatePending(ctx context.Context, tx sqlite.Querier, id int64, now time.Time) error {
	if err := settleSwitchesOf(ctx, tx, id); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE subscriptions SET status = 'active', updated_at = ?
		WHERE subscriber_id = ? AND status = 'pending'`, now, id)
	return err
}
