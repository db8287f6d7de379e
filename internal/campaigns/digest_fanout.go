package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// A digest's deliveries are all inserted when it is built, in the
// transaction that moves its mark, so who gets it is settled once. Its
// batches are then handed out by the campaign fan-out (HandleFanout), in
// order, only as far ahead of sending as a campaign's pages are: to Kick,
// which blocks while serve's sender is busy, or as mail:send tasks while
// fewer than MaxQueued deliveries handed out wait. A digest's fanout_after
// is the number of the next batch to hand out, not a subscriber id, and
// the reconciler queues again only the batches before it. So a digest to
// a million readers holds no more tasks in Redis, nor their recipients in
// memory, than a campaign does.

// pageFunc hands out the batches of a campaign's next page and says
// whether its fan-out is done, or has nothing to do; see fanoutPage.
type pageFunc func(ctx context.Context, id int64) ([]*queue.SendPayload, bool, error)

// fanoutSteps returns how campaign id's fan-out hands out its next
// batches and counts the deliveries handed out that still wait: a
// campaign's pages are inserted as they go, a digest's were inserted when
// it was built, and it hands out one batch at a time.
func (s *Service) fanoutSteps(ctx context.Context, id int64) (pageFunc, func(context.Context, int64) int) {
	if s.isDigest(ctx, id) {
		return func(ctx context.Context, id int64) ([]*queue.SendPayload, bool, error) {
			p, done, err := s.digestPage(ctx, id)
			if err != nil || p == nil {
				return nil, true, err
			}
			return []*queue.SendPayload{p}, done, nil
		}, s.digestBacklog
	}
	return s.fanoutPage, s.backlog
}

// isDigest reports whether campaign id is a digest.
func (s *Service) isDigest(ctx context.Context, id int64) bool {
	var kind string
	s.db.Read.QueryRowContext(ctx, `SELECT kind FROM campaigns WHERE id = ?`, id).Scan(&kind)
	return kind == "digest"
}

// digestPage hands out the next batch of digest id with deliveries still
// queued, in one transaction with the cursor, and returns it (without its
// content). It skips first the batch's deliveries to subscribers who can
// no longer get it, so that Since holds for the rest. When this process
// sends the batch itself (Kick), the same transaction claims the rest for
// it, as a campaign's pages are inserted claimed (insertDeliveries), and
// the batch holds only those: its sender need not claim them chunk by
// chunk, nor look a second time for readers gone. A nil batch means there
// is nothing to do: the digest is not sending or every batch is handed
// out. Its UPDATEs are OR FAIL, for the reason markSentSQL gives.
func (s *Service) digestPage(ctx context.Context, id int64) (*queue.SendPayload, bool, error) {
	var batch int64
	var done, found, finished bool
	var until time.Time
	since := s.now()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		after, active, err := fanoutCursor(ctx, tx, id)
		if err != nil || !active {
			return err
		}
		var next sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MIN(batch) FROM deliveries WHERE campaign_id = ? AND status = 'queued' AND batch >= ?`,
			id, after).Scan(&next); err != nil {
			return fmt.Errorf("next digest batch: %w", err)
		}
		if next.Valid {
			batch, found = next.Int64, true
			if _, err := tx.ExecContext(ctx, `UPDATE OR FAIL deliveries SET status = 'skipped', updated_at = ?
				WHERE campaign_id = ? AND batch = ? AND status = 'queued' AND (claimed_until IS NULL OR claimed_until < ?) AND `+goneWhere,
				since, id, batch, since); err != nil {
				return fmt.Errorf("skip gone subscribers: %w", err)
			}
			if s.Kick != nil {
				// A delivery held for its reader's welcome mail is not
				// claimed: it is handed out once the welcome has gone
				// (releaseHeld).
				until = since.Add(claimFor)
				if _, err := tx.ExecContext(ctx, `UPDATE OR FAIL deliveries SET claimed_until = ?, attempts = attempts + 1
					WHERE campaign_id = ? AND batch = ? AND status = 'queued' AND (claimed_until IS NULL OR claimed_until < ?)
					AND NOT `+heldWhere("deliveries", "?"),
					until, id, batch, since, id, holdSince(since)); err != nil {
					return fmt.Errorf("claim digest batch: %w", err)
				}
			}
			err := tx.QueryRowContext(ctx, `SELECT NOT EXISTS (SELECT 1 FROM deliveries WHERE campaign_id = ? AND status = 'queued' AND batch > ?)`,
				id, batch).Scan(&done)
			if err != nil {
				return fmt.Errorf("next digest batch: %w", err)
			}
		} else {
			done = true
		}
		if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET fanout_after = ?, fanout_done = ?, updated_at = ? WHERE id = ?`,
			batch+1, done, since, id); err != nil {
			return fmt.Errorf("advance digest fan-out: %w", err)
		}
		if done {
			finished, err = completeTx(ctx, tx, id, since)
			return err
		}
		return nil
	})
	if finished && err == nil {
		s.logSent(ctx, id)
	}
	if err != nil || !found {
		return nil, done, err
	}
	p, err := s.rebuildBatch(ctx, id, batch, until)
	if err != nil {
		return nil, false, err
	}
	p.Since, p.ClaimedUntil = since, until
	return p, done, nil
}

// digestBacklog counts the deliveries of digest id handed out and still
// queued.
func (s *Service) digestBacklog(ctx context.Context, id int64) int {
	var n int
	s.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries WHERE campaign_id = ? AND status = 'queued'
		AND batch < (SELECT fanout_after FROM campaigns WHERE id = ?)`, id, id).Scan(&n)
	return n
}

// handedOut keeps, of the batches with deliveries queued, those the
// fan-out of campaign id has handed out: all of a campaign's, whose
// deliveries are inserted as they are handed out, and of a digest's
// those before its cursor, while its fan-out goes on.
func (s *Service) handedOut(ctx context.Context, id int64, batches []int64) ([]int64, error) {
	var kind string
	var after int64
	var done bool
	err := s.db.Read.QueryRowContext(ctx, `SELECT kind, fanout_after, fanout_done FROM campaigns WHERE id = ?`, id).Scan(&kind, &after, &done)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("digest cursor: %w", err)
	}
	if kind != "digest" || done {
		return batches, nil
	}
	out := batches[:0]
	for _, b := range batches {
		if b < after {
			out = append(out, b)
		}
	}
	return out, nil
}
