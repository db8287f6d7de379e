package subscribers

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// existing is what a batch needs to know of a subscriber already stored.
type existing struct {
	id           int64
	name, status string
	onList       bool
}

// importBatch stores one batch in one transaction: a lookup of the
// addresses that exist, multi-row inserts for the new ones and their
// subscriptions, and row updates for the few that change.
func (s *Store) importBatch(ctx context.Context, imp *importer, batch []importRow) error {
	now := sqlite.Now()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		imp.confirms = imp.confirms[:0]
		have, err := lookupExisting(ctx, tx, imp.list, batch)
		if err != nil {
			return err
		}
		var fresh []importRow
		for _, row := range batch {
			if ex, ok := have[row.key]; ok {
				if err := imp.updateExisting(ctx, tx, row, ex, now); err != nil {
					return err
				}
				continue
			}
			fresh = append(fresh, row)
		}
		return imp.insertFresh(ctx, tx, fresh, now)
	})
}

// lookupExisting returns the stored subscribers among batch, by email key.
func lookupExisting(ctx context.Context, tx *sql.Tx, list int64, batch []importRow) (map[string]*existing, error) {
	out := map[string]*existing{}
	for start := 0; start < len(batch); start += 500 {
		chunk := batch[start:min(start+500, len(batch))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, list)
		for _, row := range chunk {
			args = append(args, row.key)
		}
		rows, err := tx.QueryContext(ctx, `SELECT s.id, s.email_key, s.name, s.status,
			EXISTS (SELECT 1 FROM subscriptions WHERE subscriber_id = s.id AND list_id = ? AND status != 'unsubscribed')
			FROM subscribers s WHERE s.email_key IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("look up subscribers: %w", err)
		}
		for rows.Next() {
			var ex existing
			var key string
			if err := rows.Scan(&ex.id, &key, &ex.name, &ex.status, &ex.onList); err != nil {
				rows.Close()
				return nil, err
			}
			out[key] = &ex
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// updateExisting fills in a missing name, confirms a pending subscriber
// when the import vouches for consent, and joins the list; it never
// revives someone who unsubscribed or bounced.
func (imp *importer) updateExisting(ctx context.Context, tx *sql.Tx, row importRow, ex *existing, now time.Time) error {
	if ex.status == StatusUnsubscribed || ex.status == StatusBounced {
		imp.skip(row.line, "the subscriber is "+ex.status+" and is not signed up again by an import")
		return nil
	}
	status := ex.status
	if imp.opt.Confirmed && status == StatusPending {
		status = StatusConfirmed
	}
	rename := row.name != "" && row.name != ex.name
	if !rename && status == ex.status && ex.onList {
		imp.skip(row.line, "already on the list")
		return nil
	}
	name := ex.name
	if rename {
		name = row.name
	}
	if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET name = ?, status = ?, updated_at = ?,
		confirmed_at = CASE WHEN ? = 'confirmed' THEN COALESCE(confirmed_at, ?) ELSE confirmed_at END WHERE id = ?`,
		name, status, now, status, now, ex.id); err != nil {
		return fmt.Errorf("update subscriber: %w", err)
	}
	sub := SubPending
	if status == StatusConfirmed {
		sub = SubActive
		if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET status = 'active', updated_at = ?
			WHERE subscriber_id = ? AND status = 'pending'`, now, ex.id); err != nil {
			return err
		}
	}
	if err := addSubscriptions(ctx, tx, ex.id, []int64{imp.list}, sub, now); err != nil {
		return err
	}
	imp.rep.Updated++
	return nil
}

// insertFresh adds new subscribers and their subscriptions, a hundred
// rows a statement.
func (imp *importer) insertFresh(ctx context.Context, tx *sql.Tx, fresh []importRow, now time.Time) error {
	status, sub, queued := StatusPending, SubPending, 1
	var confirmed any
	if imp.opt.Confirmed {
		status, sub, queued, confirmed = StatusConfirmed, SubActive, 0, now
	}
	for start := 0; start < len(fresh); start += 100 {
		chunk := fresh[start:min(start+100, len(fresh))]
		args := make([]any, 0, len(chunk)*9)
		for _, row := range chunk {
			args = append(args, row.email, row.key, row.name, status, now, queued, now, now, confirmed)
		}
		rows, err := tx.QueryContext(ctx, `INSERT INTO subscribers (email, email_key, name, status, confirm_sent_at,
			confirm_queued, created_at, updated_at, confirmed_at) VALUES `+tuples(len(chunk), 9)+` RETURNING id`, args...)
		if err != nil {
			return fmt.Errorf("insert subscribers: %w", err)
		}
		ids := make([]any, 0, len(chunk)*5)
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id, imp.list, sub, now, now)
			if !imp.opt.Confirmed {
				imp.confirms = append(imp.confirms, queue.ConfirmItem{ID: id, SentAt: now.UnixMicro()})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("insert subscribers: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at)
			VALUES `+tuples(len(ids)/5, 5), ids...); err != nil {
			return fmt.Errorf("insert subscriptions: %w", err)
		}
	}
	imp.rep.Added += len(fresh)
	if !imp.opt.Confirmed {
		imp.rep.Pending += len(fresh)
	}
	return nil
}

// placeholders returns "?, ?, …" for n arguments.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// tuples returns "(?, …), (?, …)" for n rows of width arguments.
func tuples(n, width int) string {
	one := "(" + placeholders(width) + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
}
