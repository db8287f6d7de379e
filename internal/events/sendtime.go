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

// StatusOf is the enhanced status code in an SMTP reply's text, wherever
// it stands ("5.1.1" of "550 5.1.1 <a@b>: Recipient address rejected"),
// "" when it has none. The sender asks it too, to tell a refusal of the
// reader from one of the message.
func StatusOf(reply string) string {
	if m := replyStatusRE.FindStringSubmatch(reply); m != nil {
		return m[1]
	}
	return ""
}

// SendBounceTx records, inside the transaction that marks it bounced, the
// relay's refusal of delivery did at send time (its 5xx reply), as an
// event of the kind a DSN with the reply's enhanced status would be
// (KindOf; 5.0.0, hard, when the reply has none), so a full mailbox
// (5.2.2) or a policy block (5.7.x) is listed as the soft bounce it is.
// What it does to the reader follows the contract for each: a hard
// refusal is only stored, and the send path counts it (a reader with
// campaigns.HardBounces of them is bounced); a soft one is applied as a
// soft DSN is, toward the soft-bounce threshold. Its key is the
// delivery's, so a DSN for the same delivery later is the same event and
// counts once, whichever told it first. It reports whether the event is
// new and whether it is hard.
func SendBounceTx(ctx context.Context, tx *sql.Tx, did int64, reply string, now time.Time) (isNew, hard bool, err error) {
	status := StatusOf(reply)
	code := status
	if code == "" {
		code = "5.0.0" // no status is stored that the relay did not give
	}
	kind := KindOf(code)
	var cid, sid int64
	var email string
	err = tx.QueryRowContext(ctx, `SELECT d.campaign_id, d.subscriber_id, s.email FROM deliveries d
		JOIN subscribers s ON s.id = d.subscriber_id WHERE d.id = ?`, did).Scan(&cid, &sid, &email)
	if err == sql.ErrNoRows {
		return false, false, nil
	} else if err != nil {
		return false, false, fmt.Errorf("record send-time bounce: %w", err)
	}
	if kind == BounceHard {
		res, err := tx.ExecContext(ctx, `INSERT INTO events (kind, source, status, diagnostic, campaign_id, subscriber_id,
			email, dedupe_key, at, recorded_at) VALUES (?, 'smtp', ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
			kind, status, clip(reply, 500), cid, sid, email, DeliveryKey(kind, cid, sid), now, now)
		if err != nil {
			return false, true, fmt.Errorf("record send-time bounce: %w", err)
		}
		n, _ := res.RowsAffected()
		return n > 0, true, nil
	}
	// The reply names no address: the event is the delivery's, found by
	// its campaign and reader as a VERP address finds it.
	e := Event{Kind: kind, Source: SourceSMTP, Status: status, Diagnostic: reply, CampaignID: cid, SubscriberID: sid, At: now}
	if err := e.check(); err != nil {
		return false, false, fmt.Errorf("record send-time bounce: %w", err)
	}
	isNew, _, err = recordTx(ctx, tx, &e, now)
	if err != nil {
		return false, false, fmt.Errorf("record send-time bounce: %w", err)
	}
	return isNew, false, nil
}
