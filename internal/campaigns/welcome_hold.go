package campaigns

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/queue"
)

// A reader's welcome mail to a list goes out first, before any digest of
// that list. The welcome and the digest travel apart (welcome:send and
// mail:send), so a digest run by hand moments after a reader confirmed
// reached them a few milliseconds before the welcome that says what they
// signed up for (tester's report). A welcome on its way is a row of
// welcomes, written in the confirmation's transaction, with no sent_at
// yet. A digest's delivery to such a reader is held: it is inserted when
// the digest is built, as every other (who gets the digest is settled
// once), and stays queued, but the fan-out and the reconciler leave it out
// of the batches they hand out (heldWhere), and the digest does not count
// as sent while it waits. Everyone else gets the digest at once. When the
// welcome is sent, given up on, or dropped, HandleWelcome hands out the
// held delivery (releaseHeld); should that be lost, the reconciler and the
// stall watcher hand it out, as any queued delivery. The delivery row and
// its claims stay what they were, so the digest still goes exactly once.
//
// A hold lasts at most welcomeHold from the welcome's record: a welcome the
// mail server has kept refusing with temporary errors for that long does
// not keep the digest "sending" for ever (its task is retried for hours,
// and queued again by the reconciler after that); the digest then goes as
// it would have.
const welcomeHold = time.Hour

// heldWhere holds for a delivery (of the table or alias d) of campaign
// (an SQL expression: "?" or a column) to a reader whose welcome mail to
// one of the campaign's lists, the campaign being a digest, is recorded
// and not sent yet, recorded after the last argument (holdSince). The
// subquery stands alone: SQLite reads the few welcomes on their way once,
// through welcomes_unsent, and tests each delivery against that list,
// rather than looking the campaign and the welcome up for every one of a
// million deliveries.
func heldWhere(d, campaign string) string {
	return d + `.subscriber_id IN (SELECT hw.subscriber_id FROM welcomes hw
		JOIN campaign_lists hl ON hl.list_id = hw.list_id AND hl.campaign_id = ` + campaign + `
		JOIN campaigns hc ON hc.id = hl.campaign_id AND hc.kind = 'digest'
		WHERE hw.sent_at IS NULL AND hw.queued_at > ?)`
}

// holdSince is heldWhere's argument at now: welcomes recorded before it
// hold nothing any more.
func holdSince(now time.Time) time.Time { return now.Add(-welcomeHold) }

// releaseHeld hands out the deliveries of the digests of list lid held
// for the welcome mail of subscriber sid (heldWhere), once that is no
// longer on its way: one mail:send task for each, of that delivery alone,
// with its batch's number, so a worker sends it under the batch's mark
// and the campaign's record of what went, as a rebuilt batch. A delivery
// whose batch the fan-out has not handed out yet is left to it. Only
// deliveries still queued are sent, and each is claimed before it goes,
// so a release that runs twice, or beside the reconciler, sends nothing
// twice; a failed one is left to the reconciler.
func (s *Service) releaseHeld(ctx context.Context, sid, lid int64) error {
	// From the few campaigns sending (campaigns_status), to the reader's
	// delivery of each by UNIQUE (campaign_id, subscriber_id): deliveries
	// has no index by reader alone, and a welcome must not walk them all.
	rows, err := s.db.Read.QueryContext(ctx, `SELECT d.campaign_id, d.batch FROM campaigns c
		CROSS JOIN campaign_lists cl ON cl.campaign_id = c.id AND cl.list_id = ?
		CROSS JOIN deliveries d ON d.campaign_id = c.id AND d.subscriber_id = ?
		WHERE c.status = ? AND c.kind = 'digest' AND d.status = 'queued'
			AND (c.fanout_done OR d.batch < c.fanout_after)`, lid, sid, StatusSending)
	if err != nil {
		return fmt.Errorf("digests held for a welcome: %w", err)
	}
	type held struct{ campaign, batch int64 }
	var todo []held
	for rows.Next() {
		var h held
		if err := rows.Scan(&h.campaign, &h.batch); err != nil {
			rows.Close()
			return fmt.Errorf("digests held for a welcome: %w", err)
		}
		todo = append(todo, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("digests held for a welcome: %w", err)
	}
	for _, h := range todo {
		// As the reconciler does (skipAllGoneTx): a worker skips only the
		// readers who leave after Since, so one who left before (a welcome
		// dropped as they unsubscribed) is skipped here.
		// The digest is sent then if that was its last delivery.
		since := s.now()
		var finished bool
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE OR FAIL deliveries SET status = 'skipped', updated_at = ?
				WHERE campaign_id = ? AND subscriber_id = ? AND status = 'queued' AND (claimed_until IS NULL OR claimed_until < ?) AND `+goneWhere,
				since, h.campaign, sid, since)
			if err != nil {
				return fmt.Errorf("skip a reader gone: %w", err)
			}
			finished, err = completeTx(ctx, tx, h.campaign, since)
			return err
		})
		if err != nil {
			return err
		}
		if finished {
			s.logSent(ctx, h.campaign)
			continue
		}
		p, err := s.rebuildBatch(ctx, h.campaign, h.batch, time.Time{})
		if err != nil {
			return err
		}
		mine := p.Recipients[:0]
		for _, r := range p.Recipients {
			if r.SubscriberID == sid {
				mine = append(mine, r)
			}
		}
		if len(mine) == 0 {
			continue // sent, skipped, or still held
		}
		contents, err := s.sendContents(ctx, h.campaign)
		if err != nil {
			return err
		}
		p.Recipients, p.Content, p.Since = mine, *contents.of(h.batch), since
		t, opts, err := queue.NewSendTask(p)
		if err != nil {
			return err
		}
		// Its own ID: the batch's task may still be queued or running,
		// without this reader, and would make this enqueue a no-op.
		id := fmt.Sprintf("send:%d:%d:welcomed:%d", h.campaign, h.batch, sid)
		for i, o := range opts {
			if o.Type() == asynq.TaskIDOpt {
				opts[i] = asynq.TaskID(id)
			}
		}
		if err := queue.EnqueueUnique(ctx, s.Queue, t, opts...); err != nil {
			return fmt.Errorf("enqueue the digest held for a welcome: %w", err)
		}
	}
	return nil
}
