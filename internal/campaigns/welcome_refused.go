package campaigns

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/bulletinhq/bulletin/internal/events"
)

// recordWelcomeRefusal records the relay's refusal for good (a 5xx to the
// address) of reader sid's welcome mail for list lid as the reader's
// bounce, by the rules of a campaign's refusal at send time: hard or soft
// by its status (events.MailBounceTx), a hard one counted toward
// HardBounces (events.CountSendBounceTx), the address suppressed once
// the reader is bounced. Each welcome mail bounces once.
func (s *Store) recordWelcomeRefusal(ctx context.Context, sid, lid int64, reply string) error {
	ctx = context.WithoutCancel(ctx) // the refusal came: it is recorded even as the task ends
	now := s.now()
	var gone int64
	var kind events.Kind
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		key := "welcome:" + strconv.FormatInt(sid, 10) + ":" + strconv.FormatInt(lid, 10)
		isNew, hard, err := events.MailBounceTx(ctx, tx, sid, key, reply, now)
		if err != nil || !isNew {
			return err
		}
		kind = events.BounceSoft
		if !hard {
			return nil
		}
		kind = events.BounceHard
		gone, err = events.CountSendBounceTx(ctx, tx, sid, now)
		return err
	})
	if err != nil {
		return err
	}
	if kind != "" && s.feedback != nil {
		s.feedback.SendBounces(kind, 1)
	}
	if gone != 0 {
		s.recordGone(ctx, gone)
	}
	return nil
}
