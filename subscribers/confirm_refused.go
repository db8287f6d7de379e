package subscribers

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// recordRefusals records inside tx each confirmation (or already-subscribed
// mail) the relay refused for good as its reader's bounce, by the rules of
// a campaign's refusal at send time (events.MailBounceTx: hard or soft by
// its status; a hard one counted with events.CountSendBounceTx, which
// bounces a pending reader at once and suppresses the address), and
// clears the row's claim, so that neither the task's retry nor the
// reconciler sends it again. It returns the readers it left bounced.
func recordRefusals(ctx context.Context, tx *sql.Tx, refused []refusal) ([]int64, error) {
	if len(refused) == 0 {
		return nil, nil
	}
	now := sqlite.Now()
	var gone []int64
	for _, r := range refused {
		res, err := tx.ExecContext(ctx, `UPDATE subscribers SET confirm_queued = 0 WHERE id = ? AND confirm_queued = 2`, r.sub.ID)
		if err != nil {
			return nil, fmt.Errorf("record refused confirmation: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // the row changed meanwhile (erased, its claim taken back)
		}
		isNew, hard, err := events.MailBounceTx(ctx, tx, r.sub.ID, refusalKey(r.sub), r.reply, now)
		if err != nil {
			return nil, err
		}
		if !isNew || !hard {
			continue
		}
		sid, err := events.CountSendBounceTx(ctx, tx, r.sub.ID, now)
		if err != nil {
			return nil, err
		}
		if sid != 0 {
			gone = append(gone, sid)
		}
	}
	return gone, nil
}

// refusalKey is the events key of the refusal of sub's confirmation mail,
// the one flagged at its confirm_sent_at: each mail bounces once.
func refusalKey(sub *claim) string {
	return "confirm:" + strconv.FormatInt(sub.ID, 10) + ":" + strconv.FormatInt(sub.confirmSentAt.UnixMicro(), 10)
}
