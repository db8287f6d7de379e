package campaigns

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// Reconcile rebuilds, from rows, the tasks a crash or a Redis restart may
// have lost: the start of scheduled campaigns, and for sending ones the
// next fan-out step and a mail:send task for every batch with deliveries
// still queued. Task IDs come from the rows, so a task still in Redis is
// not enqueued twice.
func (s *Service) Reconcile(ctx context.Context, c queue.Enqueuer) (int, error) {
	if s.justLost(ctx) {
		s.log().Info("Redis came back without its data moments ago: the campaigns' work is rebuilt by the run queued for after the grace",
			"in", lostGrace.String())
		return 0, nil
	}
	type row struct {
		id     int64
		status string
		sendAt sql.NullTime
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, status, send_at FROM campaigns WHERE status IN ('scheduled', 'sending')`)
	if err != nil {
		return 0, fmt.Errorf("reconcile campaigns: %w", err)
	}
	var todo []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.status, &r.sendAt); err != nil {
			rows.Close()
			return 0, err
		}
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, r := range todo {
		if r.status == StatusScheduled && r.sendAt.Valid {
			t, opts := queue.NewStartTask(r.id, r.sendAt.Time)
			if err := queue.EnqueueUnique(ctx, c, t, opts...); err != nil {
				return n, fmt.Errorf("enqueue start: %w", err)
			}
			n++
			continue
		}
		k, err := s.reconcileCampaign(ctx, c, r.id)
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// reconcileCampaign re-enqueues one sending campaign's fan-out and its
// batches with queued deliveries, and completes it when nothing is left.
// It first skips the deliveries of subscribers who left, so that a batch
// it rebuilds holds only subscribers who could get mail when it was read:
// a worker skips those who leave later (SendPayload.Since), however long
// the campaign was paused.
func (s *Service) reconcileCampaign(ctx context.Context, c queue.Enqueuer, id int64) (int, error) {
	since := s.now()
	var finished bool
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := skipAllGoneTx(ctx, tx, id, since); err != nil {
			return err
		}
		var err error
		finished, err = completeTx(ctx, tx, id, since)
		return err
	})
	if err != nil {
		return 0, err
	}
	if finished {
		s.logSent(ctx, id)
	}
	var done bool
	if err := s.db.Read.QueryRowContext(ctx, `SELECT fanout_done FROM campaigns WHERE id = ?`, id).Scan(&done); err != nil {
		return 0, fmt.Errorf("reconcile campaign: %w", err)
	}
	n := 0
	if !done {
		if err := s.enqueueFanout(ctx, c, id); err != nil {
			return 0, err
		}
		n++
	}
	batches, err := s.queuedBatches(ctx, id)
	if err == nil {
		batches, err = s.handedOut(ctx, id, batches)
	}
	if err != nil {
		return n, err
	}
	if len(batches) == 0 {
		return n, nil
	}
	contents, err := s.sendContents(ctx, id)
	if err != nil {
		return n, err
	}
	for _, b := range batches {
		p, err := s.rebuildBatch(ctx, id, b, time.Time{})
		if err != nil {
			return n, err
		}
		if len(p.Recipients) == 0 {
			continue // its deliveries wait for their readers' welcome mails
		}
		p.Content, p.Since = *contents.of(b), since
		if err := s.enqueueSend(ctx, c, p); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// queuedBatches lists the batches of campaign id with deliveries queued.
func (s *Service) queuedBatches(ctx context.Context, id int64) ([]int64, error) {
	batches, err := sqlite.Column[int64](s.db.Read.QueryContext(ctx, `SELECT DISTINCT batch FROM deliveries WHERE campaign_id = ? AND status = 'queued' ORDER BY batch`, id))
	if err != nil {
		return nil, fmt.Errorf("queued batches: %w", err)
	}
	return batches, nil
}

// rebuildBatch is the mail:send payload of the queued deliveries of one
// batch, without its content: all of them, or with a claim (not zero)
// those that hold it; never those a digest holds for the reader's welcome
// mail (heldWhere).
func (s *Service) rebuildBatch(ctx context.Context, id, batch int64, claim time.Time) (*queue.SendPayload, error) {
	queued := `SELECT d.id, s.id, s.email, s.name FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
		WHERE d.campaign_id = ? AND d.batch = ? AND d.status = 'queued' AND NOT ` + heldWhere("d", "?")
	q, args := queued+` ORDER BY d.id`, []any{id, batch, id, holdSince(s.now())}
	if !claim.IsZero() {
		q, args = queued+` AND d.claimed_until = ? ORDER BY d.id`, append(args, claim)
	}
	// The list the batch's readers are mailed as readers of (batchList),
	// whose one-click unsubscribe their links are; 0, for a campaign whose
	// lists were all deleted, signs the links that end every list.
	lists, err := campaignListIDs(ctx, s.db.Read, id)
	if err != nil {
		return nil, err
	}
	var list int64
	if len(lists) > 0 {
		list = lists[batchList(batch, len(lists))]
	}
	rows, err := s.db.Read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("rebuild batch: %w", err)
	}
	defer rows.Close()
	p := &queue.SendPayload{CampaignID: id, Batch: batch}
	for rows.Next() {
		var did, sid int64
		var email, name string
		if err := rows.Scan(&did, &sid, &email, &name); err != nil {
			return nil, err
		}
		p.Recipients = append(p.Recipients, s.recipient(id, list, did, sid, email, name))
	}
	return p, rows.Err()
}

// skipAllGoneTx skips, as a claim does (goneWhere), the queued deliveries
// of campaign id whose subscriber can no longer get it, but for those a
// run of the primary's own sender holds: that run decides.
func skipAllGoneTx(ctx context.Context, tx *sql.Tx, id int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'skipped', updated_at = ?
		WHERE campaign_id = ? AND status = 'queued' AND (claimed_until IS NULL OR claimed_until < ?) AND `+goneWhere, now, id, now)
	if err != nil {
		return fmt.Errorf("skip gone subscribers: %w", err)
	}
	return nil
}
