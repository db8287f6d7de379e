package campaigns

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/queue"
)

// recipientsSQL pages through a campaign's recipients by subscriber id:
// confirmed subscribers with an active subscription to any of its lists
// whose address is not suppressed,
// each once however many lists they share with it. Its arguments are the
// id to start after, the campaign's id and the page size.
const recipientsSQL = `SELECT s.id, s.email, s.name FROM subscribers s
	WHERE s.status = 'confirmed' AND s.id > ? AND NOT ` + events.SuppressedSQL + `
	AND EXISTS (SELECT 1 FROM campaign_lists cl JOIN subscriptions x ON x.list_id = cl.list_id
		WHERE cl.campaign_id = ? AND x.subscriber_id = s.id AND x.status = 'active')
	ORDER BY s.id LIMIT ?`

// recipientsOfListSQL is recipientsSQL for a campaign to one list, with
// the same arguments. It walks that list's members in subscriber order
// (the subscriptions_list index), so a page costs its own rows however few
// of the readers the list holds, where recipientsSQL walks every confirmed
// reader to fill a page: at 1,000,000 readers, a page of a list whose one
// member is the newest reader took 1.3 s of the fan-out's write
// transaction that way, and takes 2 ms this way.
const recipientsOfListSQL = `SELECT s.id, s.email, s.name FROM subscriptions x JOIN subscribers s ON s.id = x.subscriber_id
	WHERE x.subscriber_id > ? AND x.list_id = (SELECT list_id FROM campaign_lists WHERE campaign_id = ?)
	AND x.status = 'active' AND s.status = 'confirmed' AND NOT ` + events.SuppressedSQL + `
	ORDER BY x.subscriber_id LIMIT ?`

// insertSQL inserts the deliveries of one page in one statement, a
// statement per row costing more than the row. The page's subscriber ids,
// those recipientsSQL has just read in the same transaction, come in
// their order as one JSON array read with json_each: the recipients'
// conditions are not evaluated a second time, and the statement's text is
// the same for every page, so the driver keeps it prepared. When this
// process sends the page itself (Kick), the rows are inserted claimed by
// it (claimed_until, one attempt), which saves its sender a claim
// statement per chunk; otherwise both are NULL and 0, and the page's
// mail:send task claims them. (WHERE true keeps SQLite from reading ON
// CONFLICT as the join constraint of json_each.)
const insertSQL = `INSERT INTO deliveries (campaign_id, subscriber_id, status, batch, updated_at, claimed_until, attempts)
	SELECT ?, value, 'queued', ?, ?, ?, ? FROM json_each(?) WHERE true
	ON CONFLICT (campaign_id, subscriber_id) DO NOTHING RETURNING id, subscriber_id`

// fanoutPage turns the next page of recipients into deliveries, in one
// transaction with the cursor, and returns them as a batch (without its
// content). A nil batch means there is nothing to do: the campaign is not
// sending or its fan-out is done.
func (s *Service) fanoutPage(ctx context.Context, id int64) (*queue.SendPayload, bool, error) {
	var batch *queue.SendPayload
	var done bool
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		after, active, err := fanoutCursor(ctx, tx, id)
		if err != nil || !active {
			return err
		}
		// This transaction holds the write lock: whoever leaves after it
		// began commits after it, so a worker skips them (Since).
		batch = &queue.SendPayload{CampaignID: id, Batch: after, Since: s.now()}
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

// insertPage reads the page of recipients after batch.Batch, inserts
// their deliveries and adds the new ones to batch. It returns the last
// subscriber id of the page and the page's length. It runs in the
// fan-out's transaction, so the deliveries inserted are those of the
// recipients just read.
func (s *Service) insertPage(ctx context.Context, tx *sql.Tx, batch *queue.SendPayload) (int64, int, error) {
	q := recipientsSQL
	var lists int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM campaign_lists WHERE campaign_id = ?`, batch.CampaignID).Scan(&lists); err != nil {
		return 0, 0, fmt.Errorf("page recipients: %w", err)
	}
	if lists == 1 {
		q = recipientsOfListSQL
	}
	rows, err := tx.QueryContext(ctx, q, batch.Batch, batch.CampaignID, s.pageSize())
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
	sids := make([]int64, len(page))
	for i, r := range page {
		sids[i] = r.id
	}
	ids, err := insertDeliveries(ctx, tx, batch, sids, s.now(), s.Kick != nil)
	if err != nil {
		return 0, 0, err
	}
	for _, r := range page {
		if did, ok := ids[r.id]; ok {
			batch.Recipients = append(batch.Recipients, s.recipient(batch.CampaignID, did, r.id, r.email, r.name))
		}
	}
	return page[len(page)-1].id, len(page), nil
}

// insertDeliveries inserts the deliveries of batch to the subscribers
// sids, in their order, and returns the new ones' ids by subscriber id; a
// delivery that exists already is left alone and not returned. The new
// ones are claimed, and batch.ClaimedUntil set, when claim says so.
func insertDeliveries(ctx context.Context, tx *sql.Tx, batch *queue.SendPayload, sids []int64, now time.Time, claim bool) (map[int64]int64, error) {
	var until any
	attempts := 0
	if claim {
		batch.ClaimedUntil = now.Add(claimFor)
		until, attempts = batch.ClaimedUntil, 1
	}
	rows, err := tx.QueryContext(ctx, insertSQL, batch.CampaignID, batch.Batch, now, until, attempts, jsonIDs(sids))
	if err != nil {
		return nil, fmt.Errorf("insert deliveries: %w", err)
	}
	defer rows.Close()
	ids := make(map[int64]int64, len(sids))
	for rows.Next() {
		var did, sid int64
		if err := rows.Scan(&did, &sid); err != nil {
			return nil, fmt.Errorf("insert deliveries: %w", err)
		}
		ids[sid] = did
	}
	return ids, rows.Err()
}

// jsonIDs writes ids as a JSON array, for a statement to read them with
// json_each(?): one argument, however many ids, keeps the statement's
// text, and so its prepared form, the same. It is a string so that it is
// bound as TEXT: SQLite reads a BLOB argument as JSONB where it can.
func jsonIDs(ids []int64) string {
	b := make([]byte, 0, 2+len(ids)*8)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// fanoutCursor reads campaign id's fan-out cursor (a campaign's last
// subscriber id handed out, a digest's next batch) and whether its
// fan-out has work: the campaign is sending and its fan-out not done.
func fanoutCursor(ctx context.Context, tx *sql.Tx, id int64) (after int64, active bool, err error) {
	var status string
	var finished bool
	err = tx.QueryRowContext(ctx, `SELECT status, fanout_after, fanout_done FROM campaigns WHERE id = ?`, id).Scan(&status, &after, &finished)
	if err != nil {
		return 0, false, fmt.Errorf("fan-out cursor: %w", err)
	}
	return after, status == StatusSending && !finished, nil
}
