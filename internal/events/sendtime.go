package events

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"time"
)

// replyStatusRE finds the enhanced status code in an SMTP reply such as
// "550 5.1.1 <a@b>: Recipient address rejected".
var replyStatusRE = regexp.MustCompile(`(?:^|[^0-9.])([245]\.[0-9]{1,3}\.[0-9]{1,3})(?:[^0-9.]|\.(?:[^0-9]|$)|$)`)

// SendBounceTx records, inside the transaction that marks it, the bounce
// of delivery did at send time (the relay's 5xx reply). Only the event is
// stored: the send path applies its own rule (campaigns.HardBounces).
// Its key is the delivery's, so a DSN for the same delivery later is the
// same event and counts once. It reports whether the event is new.
func SendBounceTx(ctx context.Context, tx *sql.Tx, did int64, reply string, now time.Time) (bool, error) {
	status := ""
	if m := replyStatusRE.FindStringSubmatch(reply); m != nil {
		status = m[1]
	}
	var cid, sid int64
	var email string
	err := tx.QueryRowContext(ctx, `SELECT d.campaign_id, d.subscriber_id, s.email FROM deliveries d
		JOIN subscribers s ON s.id = d.subscriber_id WHERE d.id = ?`, did).Scan(&cid, &sid, &email)
	if err == sql.ErrNoRows {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("record send-time bounce: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO events (kind, source, status, diagnostic, campaign_id, subscriber_id,
		email, dedupe_key, at, recorded_at) VALUES ('bounce_hard', 'smtp', ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
		status, clip(reply, 500), cid, sid, email, DeliveryKey(BounceHard, cid, sid), now, now)
	if err != nil {
		return false, fmt.Errorf("record send-time bounce: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
