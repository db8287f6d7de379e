package subscribers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"time"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/mailer"
)

// ConfirmTTL is how long a confirmation link works.
const ConfirmTTL = 7 * 24 * time.Hour

// A MailRenderer renders a named mail into its text and HTML parts;
// *templates.Templates is one.
type MailRenderer interface {
	Mail(name string, data any) (text, html string, err error)
}

// A Confirmer sends confirmation mails: it handles TypeSubscriberConfirm
// tasks. Each row is claimed before its mail goes and cleared after, so a
// task run twice (a retry, a reconciler's copy) never mails twice.
type Confirmer struct {
	Store     *Store
	Signer    *Signer
	Templates MailRenderer
	Transport mailer.Transport
	From      *mail.Address
	// BaseURL is the public URL the links start with.
	BaseURL string
}

// ConfirmMail is the data of the mail/confirm templates.
type ConfirmMail struct {
	Name       string
	Email      string
	Lists      []string
	ConfirmURL string
	Publisher  string
	BaseURL    string
}

// ProcessTask implements asynq.Handler.
func (c *Confirmer) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := queue.ParseConfirmTask(t)
	if err != nil {
		return err
	}
	subs, err := c.Store.claimConfirms(ctx, p.Items)
	if err != nil {
		return err
	}
	var sent, failed []int64
	var first error
	for _, sub := range subs {
		if err := c.send(ctx, sub); err != nil {
			failed = append(failed, sub.ID)
			if first == nil {
				first = err
			}
			continue
		}
		sent = append(sent, sub.ID)
	}
	if err := c.Store.finishConfirms(ctx, sent, failed); err != nil {
		return err
	}
	if first != nil {
		return fmt.Errorf("send %d of %d confirmations: %w", len(failed), len(subs), first)
	}
	return nil
}

// send renders and delivers one confirmation. It is transactional mail:
// no List-Unsubscribe.
func (c *Confirmer) send(ctx context.Context, sub *Subscriber) error {
	data := ConfirmMail{
		Name: sub.Name, Email: sub.Email, Lists: sub.Lists, BaseURL: c.BaseURL,
		ConfirmURL: c.BaseURL + "/confirm/" + c.Signer.Sign(TokenConfirm, sub.ID, ConfirmTTL),
		Publisher:  c.From.Name,
	}
	if data.Publisher == "" {
		data.Publisher = "Bulletin"
	}
	text, html, err := c.Templates.Mail("confirm", data)
	if err != nil {
		return err
	}
	msg := &mailer.Message{
		From: c.From, To: &mail.Address{Name: sub.Name, Address: sub.Email},
		Subject: "Confirm your subscription to " + data.Publisher,
		Text:    text, HTML: html,
	}
	raw, err := msg.Compose()
	if err != nil {
		return fmt.Errorf("compose confirmation for subscriber %d: %w", sub.ID, err)
	}
	return c.Transport.Send(ctx, c.From.Address, []string{sub.Email}, raw)
}

// claimConfirms marks (confirm_queued = 2) the items whose row is still
// pending and flagged for that very request, returning those subscribers.
func (s *Store) claimConfirms(ctx context.Context, items []queue.ConfirmItem) ([]*Subscriber, error) {
	var out []*Subscriber
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, it := range items {
			var sentAt sql.NullTime
			sub := &Subscriber{ID: it.ID}
			err := tx.QueryRowContext(ctx, `SELECT email, name, confirm_sent_at FROM subscribers
				WHERE id = ? AND status = 'pending' AND confirm_queued = 1`, it.ID).Scan(&sub.Email, &sub.Name, &sentAt)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && (!sentAt.Valid || sentAt.Time.UnixMicro() != it.SentAt)) {
				continue // sent already, superseded, confirmed, or erased
			} else if err != nil {
				return fmt.Errorf("claim confirmation: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET confirm_queued = 2 WHERE id = ?`, it.ID); err != nil {
				return fmt.Errorf("claim confirmation: %w", err)
			}
			if sub.Lists, err = listNames(ctx, tx, it.ID); err != nil {
				return err
			}
			out = append(out, sub)
		}
		return nil
	})
	return out, err
}

// finishConfirms clears the flag of sent mails and hands failed ones back
// (confirm_queued = 1) for the retry or the reconciler.
func (s *Store) finishConfirms(ctx context.Context, sent, failed []int64) error {
	if len(sent) == 0 && len(failed) == 0 {
		return nil
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, id := range sent {
			if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET confirm_queued = 0 WHERE id = ? AND confirm_queued = 2`, id); err != nil {
				return err
			}
		}
		for _, id := range failed {
			if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET confirm_queued = 1 WHERE id = ? AND confirm_queued = 2`, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// listNames returns the names of the lists subscriber id is joining or on.
func listNames(ctx context.Context, tx *sql.Tx, id int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT l.name FROM subscriptions s JOIN lists l ON l.id = s.list_id
		WHERE s.subscriber_id = ? AND s.status != 'unsubscribed' ORDER BY l.id`, id)
	if err != nil {
		return nil, fmt.Errorf("list names: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// reconcileAge is how old a flagged row must be before the reconciler
// takes it as lost: younger ones are still on their way through the queue,
// and a claimed one (2) outlives the task's 2-minute timeout only if the
// worker died with it.
const reconcileAge = 3 * time.Minute

// Reconcile re-enqueues confirmations whose task was lost: rows still
// flagged (or claimed by a worker that died) well after their request.
// It implements queue.Reconciler.
func (s *Store) Reconcile(ctx context.Context, c queue.Enqueuer) (int, error) {
	cutoff := sqlite.Now().Add(-reconcileAge)
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, confirm_sent_at FROM subscribers
		WHERE confirm_queued IN (1, 2) AND status = 'pending' AND confirm_sent_at < ? ORDER BY id`, cutoff)
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
	if _, err := s.db.Write.ExecContext(ctx, `UPDATE subscribers SET confirm_queued = 1
		WHERE confirm_queued = 2 AND confirm_sent_at < ?`, cutoff); err != nil {
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

// Confirm ends the double opt-in of subscriber id: pending becomes
// confirmed and its pending lists active. Confirming twice is fine; an
// unsubscribed, bounced or erased subscriber is not found (the link is
// stale: a new signup sends a new one).
func (s *Store) Confirm(ctx context.Context, id int64) (*Subscriber, error) {
	now := sqlite.Now()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var status, email string
		err := tx.QueryRowContext(ctx, `SELECT status, email FROM subscribers WHERE id = ?`, id).Scan(&status, &email)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && status != StatusPending && status != StatusConfirmed) {
			return bulletin.Errorf(bulletin.ENOTFOUND, "This link is no longer valid.")
		} else if err != nil || status == StatusConfirmed {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET status = 'confirmed', confirmed_at = ?, updated_at = ?,
			unsubscribed_at = NULL WHERE id = ?`, now, now, id); err != nil {
			return fmt.Errorf("confirm: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET status = 'active', updated_at = ?
			WHERE subscriber_id = ? AND status = 'pending'`, now, id); err != nil {
			return fmt.Errorf("confirm: %w", err)
		}
		// The person has consented again: an old erasure no longer stands
		// in the way of an import.
		_, err = tx.ExecContext(ctx, `DELETE FROM erasures WHERE email_hash = ?`, s.EmailHash(email))
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}
