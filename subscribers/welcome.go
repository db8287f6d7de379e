package subscribers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A Welcome is one welcome mail to send: a list's welcome text for a
// reader whose subscription to it was confirmed.
type Welcome struct {
	SubscriberID int64
	Email, Name  string
	ListID       int64
	ListName     string
	ListSlug     string
	Markdown     string // the list's welcome mail
	From         string // the list's own From, or empty
	ReplyTo      string
}

// SetWelcomeQueue sets where Confirm queues the welcome mails it records;
// without one they wait for ReconcileWelcomes.
func (s *Store) SetWelcomeQueue(q queue.Enqueuer) { s.welcomes = q }

// activeLists returns the ids of the lists subscriber id is active on.
func activeLists(ctx context.Context, tx *sql.Tx, id int64) (map[int64]bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT list_id FROM subscriptions WHERE subscriber_id = ? AND status = 'active'`, id)
	if err != nil {
		return nil, fmt.Errorf("active lists: %w", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var lid int64
		if err := rows.Scan(&lid); err != nil {
			return nil, err
		}
		out[lid] = true
	}
	return out, rows.Err()
}

// welcomeTx records a welcome mail for each list subscriber id became
// active on since before, when the list has a welcome text. A row already
// there (a list left and joined again) is kept: a reader is welcomed to a
// list once.
func welcomeTx(ctx context.Context, tx *sql.Tx, id int64, before map[int64]bool, now time.Time) ([]queue.WelcomePayload, error) {
	after, err := activeLists(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	var out []queue.WelcomePayload
	for lid := range after {
		if before[lid] {
			continue
		}
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO welcomes (subscriber_id, list_id, queued_at)
			SELECT ?, id, ? FROM lists WHERE id = ? AND welcome != ''`, id, now, lid)
		if err != nil {
			return nil, fmt.Errorf("record welcome: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			out = append(out, queue.WelcomePayload{SubscriberID: id, ListID: lid})
		}
	}
	return out, nil
}

// queueWelcomes enqueues the welcome mails Confirm recorded, once it has
// committed. A failed enqueue is left to ReconcileWelcomes.
func (s *Store) queueWelcomes(ctx context.Context, ws []queue.WelcomePayload) {
	if s.welcomes == nil {
		return
	}
	for _, w := range ws {
		t, opts := queue.NewWelcomeTask(w)
		_ = queue.EnqueueUnique(ctx, s.welcomes, t, opts...)
	}
}

// WelcomeMail returns the welcome mail of subscriber sid for list lid, or
// nil when there is none to send: sent already, or never recorded. A
// welcome the reader can no longer take (no longer confirmed or on the
// list, or their address or its domain suppressed), or whose list text
// was emptied since, is dropped (forgetWelcome), so the reconciler does
// not queue it again and again.
func (s *Store) WelcomeMail(ctx context.Context, sid, lid int64) (*Welcome, error) {
	w := &Welcome{SubscriberID: sid, ListID: lid}
	var sendable bool
	err := s.db.Read.QueryRowContext(ctx, `SELECT s.email, s.name, l.name, l.slug, l.welcome, l.from_address, l.reply_to,
		s.status = 'confirmed' AND COALESCE(sub.status = 'active', 0) AND NOT `+events.SuppressedSQL+`
		FROM welcomes w JOIN subscribers s ON s.id = w.subscriber_id JOIN lists l ON l.id = w.list_id
		LEFT JOIN subscriptions sub ON sub.subscriber_id = w.subscriber_id AND sub.list_id = w.list_id
		WHERE w.subscriber_id = ? AND w.list_id = ? AND w.sent_at IS NULL`, sid, lid).
		Scan(&w.Email, &w.Name, &w.ListName, &w.ListSlug, &w.Markdown, &w.From, &w.ReplyTo, &sendable)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("welcome mail: %w", err)
	}
	if w.Markdown == "" || !sendable {
		return nil, s.forgetWelcome(ctx, sid, lid)
	}
	return w, nil
}

// forgetWelcome deletes the record of the welcome mail of subscriber sid
// for list lid, never sent, when the reader still cannot take it. It was
// marked sent instead, and a reader who left the list before it went (it
// waited in the queue, or for the SMTP server) was never welcomed when
// they joined it again: the record said they had been. With it gone, the
// next join records and sends it, once; a welcome sent stays recorded,
// so leaving and joining again never brings a second. The statement
// checks again what WelcomeMail read: a reader who joined again in
// between keeps theirs, which ReconcileWelcomes queues again.
func (s *Store) forgetWelcome(ctx context.Context, sid, lid int64) error {
	_, err := s.db.Write.ExecContext(ctx, `DELETE FROM welcomes WHERE subscriber_id = ? AND list_id = ? AND sent_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM subscribers s
			JOIN subscriptions sub ON sub.subscriber_id = s.id AND sub.list_id = welcomes.list_id AND sub.status = 'active'
			JOIN lists l ON l.id = welcomes.list_id AND l.welcome != ''
			WHERE s.id = welcomes.subscriber_id AND s.status = 'confirmed' AND NOT `+events.SuppressedSQL+`)`, sid, lid)
	if err != nil {
		return fmt.Errorf("forget welcome: %w", err)
	}
	return nil
}

// MarkWelcomed records that the welcome mail of subscriber sid for list
// lid was sent (or given up on), so it never goes again.
func (s *Store) MarkWelcomed(ctx context.Context, sid, lid int64) error {
	_, err := s.db.Write.ExecContext(ctx, `UPDATE welcomes SET sent_at = ? WHERE subscriber_id = ? AND list_id = ? AND sent_at IS NULL`,
		sqlite.Now(), sid, lid)
	if err != nil {
		return fmt.Errorf("mark welcomed: %w", err)
	}
	return nil
}

// ReconcileWelcomes enqueues the welcome mails still unsent well after
// they were recorded: their task was lost, or the process died with it.
// It implements queue.Reconciler's method.
func (s *Store) ReconcileWelcomes(ctx context.Context, c queue.Enqueuer) (int, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT subscriber_id, list_id FROM welcomes
		WHERE sent_at IS NULL AND queued_at < ? ORDER BY queued_at`, sqlite.Now().Add(-reconcileAge))
	if err != nil {
		return 0, fmt.Errorf("reconcile welcomes: %w", err)
	}
	var ws []queue.WelcomePayload
	for rows.Next() {
		var w queue.WelcomePayload
		if err := rows.Scan(&w.SubscriberID, &w.ListID); err != nil {
			rows.Close()
			return 0, err
		}
		ws = append(ws, w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, w := range ws {
		t, opts := queue.NewWelcomeTask(w)
		if err := queue.EnqueueUnique(ctx, c, t, opts...); err != nil {
			return 0, fmt.Errorf("reconcile welcomes: %w", err)
		}
	}
	return len(ws), nil
}
