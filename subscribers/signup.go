package subscribers

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// ConfirmInterval is the least time between two confirmation mails to one
// address, so that no one can mail bomb an address through the form.
// Signing up again sooner sends nothing at once: the signup waits with the
// address's request (holdRequest), for the link of the mail already out or
// of the next one, which goes once the interval is over (a task
// scheduled for that moment, or else the reconciler's next tick).
const ConfirmInterval = 10 * time.Minute

// ConfirmMaxWait is the longest confirmWait: one mail a day at most to an
// address that never answers.
const ConfirmMaxWait = 24 * time.Hour

// confirmWait is the least time after the last mail before a signup may
// mail the address again, when signups have sent it unanswered mails
// since its reader last confirmed or unsubscribed (the subscriber's
// confirm_unanswered). One or none waits ConfirmInterval, as a reader who
// lost the first mail or typed a slip expects; each more doubles the
// wait (20 minutes after the second, 40 after the third …) up to
// ConfirmMaxWait. Without it anyone could have a stranger's address
// mailed every ConfirmInterval for ever, 144 mails a day, by signing it
// up again each time; with it the address gets about a dozen mails the
// first day and one a day after. The reader ends it by following the
// link (or unsubscribing); the admin's and the API's "send the
// confirmation again" are not signups and keep to ConfirmInterval only.
func confirmWait(unanswered int) time.Duration {
	wait := ConfirmInterval
	for i := 1; i < unanswered && wait < ConfirmMaxWait; i++ {
		wait *= 2
	}
	return min(wait, ConfirmMaxWait)
}

// Subscription statuses.
const (
	SubPending      = "pending"
	SubActive       = "active"
	SubUnsubscribed = "unsubscribed"
)

// signupTx applies one normalised signup inside tx and returns the
// confirmation to send, if any, and the one it left due once
// ConfirmInterval is over, if any (holdRequest; its SentAt is the last
// mail's). Every outcome looks the same to the reader;
// only the rows differ:
//   - a new address is stored pending, flagged for a confirmation mail;
//   - a known one is left as it is: the signup joins its request (see
//     saveRequest), and a mail goes unless one went out in the last
//     ConfirmInterval; then the request waits for that mail's link, or
//     for the next mail (holdRequest). Its lists, name and attributes
//     change only when a link is followed (Confirm);
//   - a confirmed one asking for no list it is not on already is left
//     alone too, and is mailed its links again (alreadyTx), under the
//     same ConfirmInterval;
//   - a bounced one is left alone and gets nothing;
//   - a reader who unsubscribed (from everything, or from a list asked
//     for) after the last mail is asking afresh: the mail goes at once.
func signupTx(ctx context.Context, tx sqlite.Querier, in *Signup, listIDs []int64, now time.Time) (send, due *queue.ConfirmItem, err error) {
	// Most signups are new addresses: the insert goes first, and only a
	// known address costs the read.
	if item, err := insertPending(ctx, tx, in, listIDs, now); item != nil || err != nil {
		return item, nil, err
	}
	return knownSignupTx(ctx, tx, in, listIDs, now)
}

// knownSignupTx is signupTx for an address insertPending found stored.
func knownSignupTx(ctx context.Context, tx sqlite.Querier, in *Signup, listIDs []int64, now time.Time) (send, due *queue.ConfirmItem, err error) {
	var (
		id      int64
		status  string
		sentAt  sql.NullTime
		unsubAt sql.NullTime
		queued  int
		// unanswered is the mails signups sent since the reader last
		// answered one (confirmWait).
		unanswered int
	)
	err = tx.QueryRowContext(ctx, `SELECT id, status, confirm_sent_at, unsubscribed_at, confirm_queued, confirm_unanswered
		FROM subscribers WHERE email_key = ?`,
		EmailKey(in.Email)).Scan(&id, &status, &sentAt, &unsubAt, &queued, &unanswered)
	if err != nil {
		return nil, nil, fmt.Errorf("signup: %w", err)
	}
	if unanswered > 1 && sentAt.Valid {
		answered, err := answeredSince(ctx, tx, id, sentAt.Time)
		if err != nil {
			return nil, nil, err
		}
		if answered {
			unanswered = 0
		}
	}
	wait := confirmWait(unanswered)
	switch status {
	case StatusBounced:
		return nil, nil, nil
	case StatusConfirmed:
		more, err := joinsNewList(ctx, tx, id, listIDs)
		if err != nil {
			return nil, nil, err
		}
		if !more {
			send, err := alreadyTx(ctx, tx, id, sentAt, wait, unanswered, now)
			return send, nil, err
		}
	}
	if sentAt.Valid && now.Sub(sentAt.Time) < wait {
		fresh, err := leftSince(ctx, tx, id, status, unsubAt, listIDs, sentAt.Time)
		if err != nil {
			return nil, nil, err
		}
		if fresh {
			unanswered = 0
		} else {
			// While the wait is longer than ConfirmInterval no mail is
			// left due: the reconciler would send it once the interval
			// is over, and a signup naming another list each time
			// would mail the address every ConfirmInterval again. The
			// request waits for the last mail's link, which applies
			// it, or for the next signup after the wait.
			held, err := holdRequest(ctx, tx, id, status, in, listIDs, sentAt.Time, queued == 1 || wait > ConfirmInterval, now)
			if held {
				due = &queue.ConfirmItem{ID: id, SentAt: sentAt.Time.UnixMicro()}
			}
			return nil, due, err
		}
	}
	if err := saveRequest(ctx, tx, id, status, in, listIDs, now); err != nil {
		return nil, nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET confirm_sent_at = ?, confirm_queued = 1, confirm_unanswered = ? WHERE id = ?`,
		now, unanswered+1, id); err != nil {
		return nil, nil, fmt.Errorf("signup: %w", err)
	}
	return &queue.ConfirmItem{ID: id, SentAt: now.UnixMicro()}, nil, nil
}

// answeredSince reports whether the reader of subscriber id answered a
// mail after the one sent at sentAt: they confirmed (which dates the row's
// confirmed_at, or a list made active, then), or unsubscribed. Only the
// reader can, through signed links, so a signup's backing off
// (confirmWait) starts again from ConfirmInterval.
func answeredSince(ctx context.Context, tx sqlite.Querier, id int64, sentAt time.Time) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM subscribers WHERE id = ?
			AND (confirmed_at > ? OR unsubscribed_at > ?))
		+ (SELECT COUNT(*) FROM subscriptions WHERE subscriber_id = ? AND status IN ('active', 'unsubscribed') AND updated_at > ?)`,
		id, sentAt, sentAt, id, sentAt).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("signup: %w", err)
	}
	return n > 0, nil
}

// alreadyTx answers a confirmed reader who asks for no list they are not
// on already: most often someone who lost their mail and wants the links
// to their preferences or to unsubscribe. Nothing about the reader
// changes. The address is mailed those links (the already-subscribed
// mail, which the Confirmer sends to a confirmed reader with nothing to
// confirm), flagged as a confirmation is: so ConfirmInterval bounds it
// together with every other mail a signup sends the address, and the
// same claim, retries and reconciler carry it. Within the interval the
// signup is dropped, as the mail just sent, or on its way, holds the
// same links.
//
// The flag is marked as this mail's by a request that asks for nothing
// (lists "[]"): the reconciler finds flagged confirmed readers only
// through their requests, and a flag left on a reader confirmed since
// (by an editor, or an import) must not send one. A request waiting
// already is kept, its date moved to this mail: the mail is then its
// confirmation, naming its lists, with a link in place of the last one.
//
// Its wait is the confirmations' (confirmWait of unanswered, the mails
// sent since the reader last answered one), which it counts toward.
func alreadyTx(ctx context.Context, tx sqlite.Querier, id int64, sentAt sql.NullTime, wait time.Duration, unanswered int, now time.Time) (*queue.ConfirmItem, error) {
	if sentAt.Valid && now.Sub(sentAt.Time) < wait {
		return nil, nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO signup_requests (subscriber_id, requested_at) VALUES (?, ?)
		ON CONFLICT (subscriber_id) DO UPDATE SET requested_at = excluded.requested_at`, id, now); err != nil {
		return nil, fmt.Errorf("signup: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET confirm_sent_at = ?, confirm_queued = 1, confirm_unanswered = ? WHERE id = ?`,
		now, unanswered+1, id); err != nil {
		return nil, fmt.Errorf("signup: %w", err)
	}
	return &queue.ConfirmItem{ID: id, SentAt: now.UnixMicro()}, nil
}

// leftSince reports whether subscriber id unsubscribed after the mail sent
// at sentAt: from everything, or from one of listIDs. Only the reader can
// do that (the links are signed), so it cannot be used to mail an address
// more often than ConfirmInterval allows, and the next signup after the
// new mail waits again.
func leftSince(ctx context.Context, tx sqlite.Querier, id int64, status string, unsubAt sql.NullTime, listIDs []int64, sentAt time.Time) (bool, error) {
	if status == StatusUnsubscribed && unsubAt.Valid && unsubAt.Time.After(sentAt) {
		return true, nil
	}
	if len(listIDs) == 0 {
		return false, nil
	}
	args := []any{id, sentAt}
	for _, lid := range listIDs {
		args = append(args, lid)
	}
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM subscriptions WHERE subscriber_id = ?
		AND status = 'unsubscribed' AND updated_at > ? AND list_id IN (`+placeholders(len(listIDs))+`)`, args...).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("signup: %w", err)
	}
	return n > 0, nil
}

// insertPending stores in as a new pending subscriber and returns its
// confirmation; nil, and nothing stored, when the address is known.
func insertPending(ctx context.Context, tx sqlite.Querier, in *Signup, listIDs []int64, now time.Time) (*queue.ConfirmItem, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO subscribers
		(email, email_key, name, status, attributes, confirm_sent_at, confirm_queued, confirm_unanswered, created_at, updated_at)
		VALUES (?, ?, ?, 'pending', ?, ?, 1, 1, ?, ?) ON CONFLICT (email_key) DO NOTHING`,
		in.Email, EmailKey(in.Email), in.Name, attributesJSON(in.Attributes), now, now, now)
	if err != nil {
		return nil, fmt.Errorf("signup: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return nil, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	if err := joinLists(ctx, tx, id, listIDs, SubPending, now); err != nil {
		return nil, err
	}
	if err := hooks.EmitSubscriber(ctx, tx, hooks.SubscriberCreated, id); err != nil {
		return nil, err
	}
	return &queue.ConfirmItem{ID: id, SentAt: now.UnixMicro()}, nil
}

// fillName sets the name of a subscriber who has none; a confirmed signup
// never overwrites a name.
func fillName(ctx context.Context, tx sqlite.Querier, id int64, name string, now time.Time) error {
	if name == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE subscribers SET name = ?, updated_at = ? WHERE id = ? AND name = ''`, name, now, id)
	return err
}

// addSubscriptions joins subscriber id to lists with status, reviving an
// ended subscription and promoting a pending one to active, never the
// other way round. A list joined takes the reader in the digest window of
// the frequency they have now (settleSwitchesOf); one joined again keeps
// the window it had.
func addSubscriptions(ctx context.Context, tx sqlite.Querier, id int64, listIDs []int64, status string, now time.Time) error {
	if err := settleSwitchesOf(ctx, tx, id); err != nil {
		return err
	}
	return joinLists(ctx, tx, id, listIDs, status, now)
}

// joinLists is addSubscriptions for a reader just inserted, who has no
// change of frequency to settle: the signups' hot path spares the query.
func joinLists(ctx context.Context, tx sqlite.Querier, id int64, listIDs []int64, status string, now time.Time) error {
	for _, lid := range listIDs {
		_, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (subscriber_id, list_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at
			WHERE subscriptions.status = 'unsubscribed' OR (excluded.status = 'active' AND subscriptions.status = 'pending')`,
			id, lid, status, now, now)
		if err != nil {
			return fmt.Errorf("add subscription: %w", err)
		}
	}
	return nil
}
