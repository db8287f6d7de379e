package campaigns

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// recipientsWhere picks a campaign's recipients after a subscriber id:
// confirmed subscribers with an active subscription to any of its lists,
// each once however many lists they share with it. Its arguments are the
// id to start after and the campaign's id.
const recipientsWhere = `s.status = 'confirmed' AND s.id > ?
	AND EXISTS (SELECT 1 FROM campaign_lists cl JOIN subscriptions x ON x.list_id = cl.list_id
		WHERE cl.campaign_id = ? AND x.subscriber_id = s.id AND x.status = 'active')`

// recipientsSQL pages through a campaign's recipients by subscriber id.
const recipientsSQL = `SELECT s.id, s.email, s.name FROM subscribers s WHERE ` + recipientsWhere + ` ORDER BY s.id LIMIT ?`

// insertSQL inserts the deliveries of one page, the recipients up to its
// last subscriber id, in one statement: a statement per row would cost
// more than the row. When this process sends the page itself (Kick), the
// rows are inserted claimed by it (claimed_until, one attempt), which
// saves its sender a claim statement per chunk; otherwise both are NULL
// and 0, and the page's mail:send task claims them.
const insertSQL = `INSERT INTO deliveries (campaign_id, subscriber_id, status, batch, updated_at, claimed_until, attempts)
	SELECT ?, s.id, 'queued', ?, ?, ?, ? FROM subscribers s WHERE ` + recipientsWhere + ` AND s.id <= ?
	ON CONFLICT (campaign_id, subscriber_id) DO NOTHING RETURNING id, subscriber_id`

// fanoutPage turns the next page of recipients into deliveries, in one
// transaction with the cursor, and returns them as a batch (without its
// content). A nil batch means there is nothing to do: the campaign is not
// sending or its fan-out is done.
func (s *Service) fanoutPage(ctx context.Context, id int64) (*queue.SendPayload, bool, error) {
	var batch *queue.SendPayload
	var done bool
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var after int64
		var status string
		var finished bool
		err := tx.QueryRowContext(ctx, `SELECT status, fanout_after, fanout_done FROM campaigns WHERE id = ?`, id).Scan(&status, &after, &finished)
		if err != nil {
			return fmt.Errorf("fan-out cursor: %w", err)
		}
		if status != StatusSending || finished {
			return nil
		}
		batch = &queue.SendPayload{CampaignID: id, Batch: after}
		last, n, err := s.insertPage(ctx, tx, batch)
		if err != nil {
			return err
		}
		done = n < s.pageSize()
		now := s.now()
		if n == 0 {
			last = after
		}
		if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET fanout_after = ?, fanout_done = ?, total = total + ?, updated_at = ? WHERE id = ?`,
			last, done, len(batch.Recipients), now, id); err != nil {
			return fmt.Errorf("advance fan-out: %w", err)
		}
		if done {
			return completeTx(ctx, tx, id, now)
		}
		return nil
	})
	return batch, done, err
}

// insertPage inserts the deliveries of the page after batch.Batch and adds
// them to batch. It returns the last subscriber id of the page and the
// page's length.
func (s *Service) insertPage(ctx context.Context, tx *sql.Tx, batch *queue.SendPayload) (int64, int, error) {
	rows, err := tx.QueryContext(ctx, recipientsSQL, batch.Batch, batch.CampaignID, s.pageSize())
	if err != nil {
		return 0, 0, fmt.Errorf("page recipients: %w", err)
	}
	type sub struct {
		id          int64
		email, name string
	}
	var page []sub
	for rows.Next() {
		var r sub
		if err := rows.Scan(&r.id, &r.email, &r.name); err != nil {
			rows.Close()
			return 0, 0, err
		}
		page = append(page, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(page) == 0 {
		return 0, 0, err
	}
	last := page[len(page)-1].id
	ids, err := insertDeliveries(ctx, tx, batch, last, s.now(), s.Kick != nil)
	if err != nil {
		return 0, 0, err
	}
	for _, r := range page {
		if did, ok := ids[r.id]; ok {
			batch.Recipients = append(batch.Recipients, s.recipient(did, r.id, r.email, r.name))
		}
	}
	return last, len(page), nil
}

// insertDeliveries inserts the deliveries of the page of batch that ends
// at subscriber last and returns the new ones' ids by subscriber id; a
// delivery that exists already is left alone and not returned. The new
// ones are claimed, and batch.ClaimedUntil set, when claim says so.
func insertDeliveries(ctx context.Context, tx *sql.Tx, batch *queue.SendPayload, last int64, now time.Time, claim bool) (map[int64]int64, error) {
	var until any
	attempts := 0
	if claim {
		batch.ClaimedUntil = now.Add(claimFor)
		until, attempts = batch.ClaimedUntil, 1
	}
	rows, err := tx.QueryContext(ctx, insertSQL, batch.CampaignID, batch.Batch, now, until, attempts, batch.Batch, batch.CampaignID, last)
	if err != nil {
		return nil, fmt.Errorf("insert deliveries: %w", err)
	}
	defer rows.Close()
	ids := make(map[int64]int64)
	for rows.Next() {
		var did, sid int64
		if err := rows.Scan(&did, &sid); err != nil {
			return nil, fmt.Errorf("insert deliveries: %w", err)
		}
		ids[sid] = did
	}
	return ids, rows.Err()
}
