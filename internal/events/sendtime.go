package events

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"time"

	"github.com/bulletinhq/bulletin/internal/hooks"
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
	var cid, sid int64
	var email string
	err = tx.QueryRowContext(ctx, `SELECT d.campaign_id, d.subscriber_id, s.email FROM deliveries d
		JOIN subscribers s ON s.id = d.subscriber_id WHERE d.id = ?`, did).Scan(&cid, &sid, &email)
	if err == sql.ErrNoRows {
		return false, false, nil
	} else if err != nil {
		return false, false, fmt.Errorf("record send-time bounce: %w", err)
	}
	return sendBounceTx(ctx, tx, cid, sid, email, DeliveryKey(BounceHard, cid, sid), reply, now)
}

// MailBounceTx is SendBounceTx for mail to reader sid outside a campaign
// (a confirmation, an already-subscribed mail, a welcome mail), which has
// no delivery: key names the mail, so that it bounces once. A hard
// refusal is counted with CountSendBounceTx, as a campaign's is.
func MailBounceTx(ctx context.Context, tx *sql.Tx, sid int64, key, reply string, now time.Time) (isNew, hard bool, err error) {
	var email string
	err = tx.QueryRowContext(ctx, `SELECT email FROM subscribers WHERE id = ?`, sid).Scan(&email)
	if err == sql.ErrNoRows {
		return false, false, nil
	} else if err != nil {
		return false, false, fmt.Errorf("record send-time bounce: %w", err)
	}
	return sendBounceTx(ctx, tx, 0, sid, email, key, reply, now)
}

// sendBounceTx records the refusal reply of the mail to reader sid at
// email (of campaign cid, 0 for none) under key; see SendBounceTx.
func sendBounceTx(ctx context.Context, tx *sql.Tx, cid, sid int64, email, key, reply string, now time.Time) (isNew, hard bool, err error) {
	status := StatusOf(reply)
	code := status
	if code == "" {
		code = "5.0.0" // no status is stored that the relay did not give
	}
	kind := KindOf(code)
	if kind == BounceHard {
		res, err := tx.ExecContext(ctx, `INSERT INTO events (kind, source, status, diagnostic, campaign_id, subscriber_id,
			email, dedupe_key, at, recorded_at) VALUES (?, 'smtp', ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
			kind, status, clip(reply, 500), nullID(cid), sid, email, key, now, now)
		if err != nil {
			return false, true, fmt.Errorf("record send-time bounce: %w", err)
		}
		n, _ := res.RowsAffected()
		return n > 0, true, nil
	}
	// The reply names no address: the event is the mail's, found by its
	// campaign and reader as a VERP address finds it.
	e := Event{Kind: kind, Source: SourceSMTP, Status: status, Diagnostic: reply, CampaignID: cid, SubscriberID: sid, Key: key, At: now}
	if err := e.check(); err != nil {
		return false, false, fmt.Errorf("record send-time bounce: %w", err)
	}
	isNew, _, err = recordTx(ctx, tx, &e, now)
	if err != nil {
		return false, false, fmt.Errorf("record send-time bounce: %w", err)
	}
	return isNew, false, nil
}

// SendHardBounces is how many hard refusals at send time make a
// confirmed reader bounced (campaigns.HardBounces).
const SendHardBounces = 3

// CountSendBounceTx counts a hard refusal at send time against reader
// sid, who becomes bounced at the SendHardBounces-th when confirmed, at
// the first when pending: a pending reader's address has taken no mail
// of Bulletin's, and the refused one was their confirmation, which they
// would need to ever get another. A bounced reader's address goes on the
// suppression list, as a hard bounce reported later puts it, and no
// confirmation waits for them any more. It returns their id when this
// refusal made them bounced, or found them so.
func CountSendBounceTx(ctx context.Context, tx *sql.Tx, sid int64, now time.Time) (int64, error) {
	var was, email string
	err := tx.QueryRowContext(ctx, `SELECT status, email FROM subscribers WHERE id = ?`, sid).Scan(&was, &email)
	if err == sql.ErrNoRows {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("count bounce: %w", err)
	}
	var status string
	err = tx.QueryRowContext(ctx, `UPDATE subscribers SET bounce_count = bounce_count + 1,
		status = CASE WHEN status = 'pending' OR (status = 'confirmed' AND bounce_count + 1 >= ?) THEN 'bounced' ELSE status END,
		updated_at = ? WHERE id = ? RETURNING status`, SendHardBounces, now, sid).Scan(&status)
	switch {
	case err != nil:
		return 0, fmt.Errorf("count bounce: %w", err)
	case status != "bounced":
		return 0, nil
	case was != "bounced":
		if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET confirm_queued = 0 WHERE id = ?`, sid); err != nil {
			return 0, fmt.Errorf("count bounce: %w", err)
		}
		if err := SuppressSendBounceTx(ctx, tx, email, now); err != nil {
			return 0, err
		}
		return sid, hooks.EmitSubscriber(ctx, tx, hooks.SubscriberBounced, sid)
	}
	return sid, nil
}
