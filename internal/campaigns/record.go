package campaigns

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

// HardBounces is how many hard bounces make a subscriber bounced.
const HardBounces = events.SendHardBounces

// claimFor is how long the primary's own sender holds a claimed delivery.
// A chunk is sent and recorded well within it; after a crash, serve clears
// every claim at start-up anyway (ClearClaims).
const claimFor = 5 * time.Minute

// Record stores the results of one campaign's deliveries in one
// transaction. It is idempotent: a delivery is sent or bounced once, so a
// result recorded twice changes nothing and counts no second bounce. A
// message the relay took or bounced is recorded as such even when its
// delivery was skipped while it was on the wire: Cancel skips every
// queued delivery, and a reconcile those of readers gone, while a
// stateless worker, whose claims are in Redis, may have sent them.
// Deliveries sent at the same moment, the common case, are marked by one
// statement.
//
// Subscribers a hard bounce turns bounced are told to the GoneRecorder
// once committed, so that send workers skip their other deliveries.
//
// Record is the primary's own sender's: a result to be retried releases
// its delivery's claim, which that sender took. Workers' results come
// through HandleRecord.
func (s *Store) Record(ctx context.Context, campaignID int64, results []queue.Result) error {
	return s.record(ctx, campaignID, results, true)
}

// record is Record; ownClaims says the results' claims in SQLite are the
// sender's, so that a result to be retried releases them. A stateless
// worker's never are (its claims are in Redis): a claim its retry found
// would be the primary's sender's, taken since, perhaps on a message on
// the wire, and releasing it could send that message twice.
func (s *Store) record(ctx context.Context, campaignID int64, results []queue.Result, ownClaims bool) error {
	now := s.now()
	var bounced []int64
	var failed []queue.Result
	var newBounces map[events.Kind]int
	var finished bool
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var sent []int64
		var at time.Time
		var hours sentHours
		bounced, failed, newBounces = bounced[:0], failed[:0], map[events.Kind]int{}
		for _, r := range results {
			if r.Status != queue.ResultSent || r.Reply != "" {
				sid, final, event, err := recordTx(ctx, tx, campaignID, r, now, ownClaims)
				if err != nil {
					return err
				}
				if final && r.Status == queue.ResultSent {
					hours.add(r.At, 1)
				}
				if event != "" {
					newBounces[event]++
				}
				if sid != 0 {
					bounced = append(bounced, sid)
				}
				if final && (r.Status == queue.ResultFailed || r.Status == queue.ResultBounced) {
					failed = append(failed, r)
				}
				continue
			}
			if len(sent) > 0 && !r.At.Equal(at) {
				if err := markSentTx(ctx, tx, campaignID, sent, at, now, &hours); err != nil {
					return err
				}
				sent = sent[:0]
			}
			sent, at = append(sent, r.DeliveryID), r.At
		}
		if err := markSentTx(ctx, tx, campaignID, sent, at, now, &hours); err != nil {
			return err
		}
		if err := hours.write(ctx, tx); err != nil {
			return err
		}
		if err := relayIDsTx(ctx, tx, campaignID, results); err != nil {
			return err
		}
		var err error
		finished, err = completeTx(ctx, tx, campaignID, now)
		return err
	})
	if err != nil {
		return err
	}
	if finished {
		s.logSent(ctx, campaignID)
	}
	for kind, n := range newBounces {
		s.feedback.SendBounces(kind, n)
	}
	for _, r := range failed {
		// The subscriber's id says who; the log names no reader, and a
		// relay's refusal often quotes their address.
		s.log().Warn("campaign delivery failed", "campaign", campaignID, "delivery", r.DeliveryID,
			"subscriber", r.SubscriberID, "status", r.Status, "reason", clip(mailer.MaskAddresses(r.Reply), 300))
	}
	s.recordGone(ctx, bounced...)
	return nil
}

// markSentSQL marks sent the deliveries of a campaign among those whose
// ids its last argument, a JSON array (jsonIDs), holds: queued, or
// skipped while their message was on the wire (see Record).
//
// This statement and those of claim look the rows up by id, their primary
// key: the unary + on campaign_id keeps SQLite from seeking each id in
// deliveries_campaign_status instead, which it would pick for an IN over
// json_each and which costs an index seek more per row.
//
// OR FAIL: an UPDATE of many rows inside a transaction that may abort on
// a constraint (here NOT NULL, as any) keeps a statement journal, a copy
// of every page it changes, to undo the statement alone; past 64 KiB
// SQLite moves it to a temporary file, which for a write of ~150 results
// it did nearly every time: a file opened, written and closed per write.
// FAIL stops the statement where it is instead, and every caller rolls
// the whole transaction back on an error anyway, so nothing needs
// undoing. BenchmarkRecord at 150 results a write: temporary files 19
// against 590, about a third less time a result. The other multi-row
// UPDATEs of deliveries on the sending path (claims, skips, relay ids)
// do the same.
const markSentSQL = `UPDATE OR FAIL deliveries SET status = 'sent', last_error = '', sent_at = ?, claimed_until = NULL, updated_at = ?
	WHERE +campaign_id = ? AND status IN ('queued', 'skipped') AND id IN (SELECT value FROM json_each(?))`

// markSentTx marks the queued deliveries among ids sent at at, and counts
// those it marked in hours.
func markSentTx(ctx context.Context, tx *sql.Tx, cid int64, ids []int64, at, now time.Time, hours *sentHours) error {
	if len(ids) == 0 {
		return nil
	}
	res, err := tx.ExecContext(ctx, markSentSQL, at, now, cid, jsonIDs(ids))
	if err != nil {
		return fmt.Errorf("record sent: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("record sent: %w", err)
	}
	hours.add(at, n)
	return nil
}

// sentHours counts the deliveries one write of results marked sent, by
// the hour they were sent in (Unix seconds / 3600), for the table
// sent_hours, which the dashboard's seven-day count reads
// (events.Store.Health). A write's results nearly always fall in one or
// two hours.
type sentHours []struct{ hour, sent int64 }

func (h *sentHours) add(at time.Time, n int64) {
	if n == 0 {
		return
	}
	hour := at.Unix() / 3600
	for i := range *h {
		if (*h)[i].hour == hour {
			(*h)[i].sent += n
			return
		}
	}
	*h = append(*h, struct{ hour, sent int64 }{hour, n})
}

// write adds the counts to sent_hours in tx.
func (h sentHours) write(ctx context.Context, tx *sql.Tx) error {
	for _, c := range h {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sent_hours (hour, sent) VALUES (?, ?)
			ON CONFLICT (hour) DO UPDATE SET sent = sent + excluded.sent`, c.hour, c.sent); err != nil {
			return fmt.Errorf("count sent: %w", err)
		}
	}
	return nil
}

// relayIDSQL stores the relay's ids of sent deliveries of a campaign,
// given as its last argument, a JSON array of [delivery id, relay id]
// pairs. A delivery keeps the first id it was given.
const relayIDSQL = `UPDATE OR FAIL deliveries SET relay_id = r.value ->> 1 FROM json_each(?) r
	WHERE deliveries.id = r.value ->> 0 AND +deliveries.campaign_id = ? AND deliveries.status = 'sent' AND deliveries.relay_id IS NULL`

// relayIDsTx stores the ids the relay gave the sent messages among
// results (see queue.Result.RelayID), in one statement.
func relayIDsTx(ctx context.Context, tx *sql.Tx, cid int64, results []queue.Result) error {
	var pairs [][2]any
	for _, r := range results {
		if r.RelayID != "" && r.Status == queue.ResultSent {
			pairs = append(pairs, [2]any{r.DeliveryID, r.RelayID})
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	buf, err := json.Marshal(pairs)
	if err != nil {
		return fmt.Errorf("record relay ids: %w", err)
	}
	if _, err := tx.ExecContext(ctx, relayIDSQL, string(buf), cid); err != nil {
		return fmt.Errorf("record relay ids: %w", err)
	}
	return nil
}

// recordTx records one result that is not a plain sent, and reports
// whether it ended a queued delivery and whether it stored a new bounce
// event. When it is a bounce that makes its subscriber bounced, it
// returns that subscriber's id.
func recordTx(ctx context.Context, tx *sql.Tx, cid int64, r queue.Result, now time.Time, ownClaims bool) (bounced int64, ended bool, event events.Kind, err error) {
	reply := r.Reply
	if len(reply) > 500 {
		reply = reply[:500]
	}
	switch r.Status {
	case queue.ResultRetry:
		release := ""
		if ownClaims {
			release = "claimed_until = NULL, "
		}
		_, err := tx.ExecContext(ctx, `UPDATE deliveries SET last_error = ?, `+release+`updated_at = ?
			WHERE id = ? AND campaign_id = ? AND status = 'queued'`, reply, now, r.DeliveryID, cid)
		return 0, false, "", err
	case queue.ResultSent, queue.ResultBounced, queue.ResultFailed, queue.ResultSkipped:
	default:
		return 0, false, "", nil // unknown: ignore rather than fail the batch
	}
	var sentAt any
	if r.Status == queue.ResultSent {
		sentAt = r.At
	}
	// A message the relay took or bounced is recorded so even when its
	// delivery was skipped while it was on the wire (see Record); other
	// results end only a queued delivery.
	res, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = ?, last_error = ?, sent_at = ?, claimed_until = NULL, updated_at = ?
		WHERE id = ? AND campaign_id = ? AND (status = 'queued' OR (status = 'skipped' AND ? IN ('sent', 'bounced')))`,
		r.Status, reply, sentAt, now, r.DeliveryID, cid, r.Status)
	if err != nil {
		return 0, false, "", fmt.Errorf("record delivery: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, false, "", nil
	} else if r.Status != queue.ResultBounced {
		return 0, true, "", nil
	}
	isNew, hard, err := events.SendBounceTx(ctx, tx, r.DeliveryID, reply, now)
	if err != nil {
		return 0, false, "", err
	}
	if isNew {
		event = events.BounceSoft
		if hard {
			event = events.BounceHard
		}
	}
	if hard {
		bounced, err = countBounceTx(ctx, tx, r.DeliveryID, now)
	} else {
		bounced, err = bouncedReaderTx(ctx, tx, r.DeliveryID)
	}
	return bounced, true, event, err
}

// countBounceTx counts a hard bounce at send time against the subscriber
// of delivery did (events.CountSendBounceTx: bounced at the HardBounces-th,
// the contract's rule for the relay's refusals, and their address then
// suppressed). It returns their id when they are bounced.
func countBounceTx(ctx context.Context, tx *sql.Tx, did int64, now time.Time) (int64, error) {
	var sid int64
	err := tx.QueryRowContext(ctx, `SELECT subscriber_id FROM deliveries WHERE id = ?`, did).Scan(&sid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("count bounce: %w", err)
	}
	return events.CountSendBounceTx(ctx, tx, sid, now)
}

// bouncedReaderTx returns the subscriber of delivery did when a soft
// refusal at send time, applied as a soft DSN is (events.SendBounceTx),
// left them bounced, for the GoneRecorder.
func bouncedReaderTx(ctx context.Context, tx *sql.Tx, did int64) (int64, error) {
	var sid int64
	err := tx.QueryRowContext(ctx, `SELECT s.id FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
		WHERE d.id = ? AND s.status = ?`, did, subscribers.StatusBounced).Scan(&sid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("count bounce: %w", err)
	}
	return sid, nil
}

// completeTx marks the campaign sent once its fan-out is done and no
// delivery is left queued. It reports whether it did: only one
// transaction can, and its caller logs the end (logSent) once it commits.
// A paused campaign is ended too: the results of the messages on the
// wire when it was paused can leave it nothing to send, and a campaign
// left "paused" with nothing to resume would say it was not sent.
func completeTx(ctx context.Context, tx *sql.Tx, id int64, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE campaigns SET status = 'sent', finished_at = ?, updated_at = ?
		WHERE id = ? AND status IN ('sending', 'paused') AND fanout_done = 1
		AND NOT EXISTS (SELECT 1 FROM deliveries WHERE campaign_id = ? AND status = 'queued')`, now, now, id, id)
	if err != nil {
		return false, fmt.Errorf("complete campaign: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return true, hooks.EmitFinished(ctx, tx, id)
	}
	return false, nil
}

// logSent logs the end of the sending of campaign id, which a committed
// completeTx has just marked sent, for the operator: its kind, its
// deliveries by outcome and how long it took. A read that fails costs
// the line its counts, not the caller an error: the campaign is sent.
func (s *Store) logSent(ctx context.Context, id int64) {
	ctx = context.WithoutCancel(ctx) // the sending is over even if the caller's run is
	var kind string
	var started, finished sql.NullTime
	err := s.db.Read.QueryRowContext(ctx, `SELECT kind, started_at, finished_at FROM campaigns WHERE id = ?`, id).Scan(&kind, &started, &finished)
	if err != nil {
		s.log().Info("campaign sent", "campaign", id, "err", err)
		return
	}
	attrs := []any{"campaign", id, "kind", kind}
	if st, err := s.stats(ctx, id); err != nil {
		attrs = append(attrs, "err", err)
	} else {
		attrs = append(attrs, "sent", st.Sent, "failed", st.Failed, "bounced", st.Bounced, "skipped", st.Skipped)
	}
	if started.Valid && finished.Valid {
		attrs = append(attrs, "took", finished.Time.Sub(started.Time).Round(time.Millisecond))
	}
	s.log().Info("campaign sent", attrs...)
}

// logSending logs the start of the sending of campaign id, of kind
// "campaign" or "digest", to its recipients, once the transaction that
// started it has committed.
func (s *Store) logSending(id int64, kind string, recipients int) {
	s.log().Info("campaign sending", "campaign", id, "kind", kind, "recipients", recipients)
}

// HandleRecord handles delivery:record, the results stateless workers
// send back.
func (s *Store) HandleRecord(ctx context.Context, t *asynq.Task) error {
	var p queue.RecordPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("decode delivery:record: %v: %w", err, asynq.SkipRetry)
	}
	return s.record(ctx, p.CampaignID, p.Results, false)
}

// Ledger returns the mailer.Ledger of the primary's own sender: deliveries
// are claimed in SQLite before they are sent and recorded right after.
func (s *Store) Ledger() mailer.PreClaimer { return sqliteLedger{s} }

type sqliteLedger struct{ s *Store }

// Claim skips deliveries whose subscriber can no longer get the campaign
// (goneWhere), then claims those still queued and not claimed by a run in
// progress.
func (l sqliteLedger) Claim(ctx context.Context, p *queue.SendPayload, rs []queue.Recipient) ([]int64, bool, error) {
	return l.claim(ctx, p.CampaignID, queue.DeliveryIDs(rs), `(claimed_until IS NULL OR claimed_until < ?)`, l.s.now())
}

var _ mailer.StopChecker = sqliteLedger{}

// Stopped implements mailer.StopChecker: the campaign no longer sends
// (paused, cancelled, or gone).
func (l sqliteLedger) Stopped(ctx context.Context, cid int64) (bool, error) {
	var sending bool
	err := l.s.db.Read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM campaigns WHERE id = ? AND status = ?)`, cid, StatusSending).Scan(&sending)
	if err != nil {
		return false, fmt.Errorf("campaign status: %w", err)
	}
	return !sending, nil
}

// claimFresh is how long a claim taken at fan-out counts as fresh, so that
// ClaimAgain only reads: far less than claimFor, and far more than serve
// takes to send the few batches it holds at the rates it reaches.
const claimFresh = 30 * time.Second

// ClaimAgain implements mailer.PreClaimer. A stale claim is renewed only
// on the rows that still hold it: a row whose claim ran out and was taken
// by another run, or that was sent meanwhile, is not this run's any more.
func (l sqliteLedger) ClaimAgain(ctx context.Context, cid int64, ids []int64, until time.Time) ([]int64, bool, error) {
	if until.Sub(l.s.now()) <= claimFor-claimFresh {
		return l.claim(ctx, cid, ids, `claimed_until = ?`, until)
	}
	var status string
	if err := l.s.db.Read.QueryRowContext(ctx, `SELECT status FROM campaigns WHERE id = ?`, cid).Scan(&status); err != nil {
		return nil, false, fmt.Errorf("campaign status: %w", err)
	}
	if status != StatusSending {
		return nil, true, nil
	}
	return ids, false, nil
}

// goneWhere holds for a delivery whose subscriber can no longer get its
// campaign: no longer confirmed, or gone from every list of the campaign
// since its fan-out.
const goneWhere = `(EXISTS (SELECT 1 FROM subscribers s WHERE s.id = deliveries.subscriber_id AND s.status <> 'confirmed')
	OR NOT EXISTS (SELECT 1 FROM campaign_lists cl JOIN subscriptions x ON x.list_id = cl.list_id
		WHERE cl.campaign_id = deliveries.campaign_id AND x.subscriber_id = deliveries.subscriber_id AND x.status = 'active'))`

// skipGoneSQL skips the queued deliveries of a campaign, among those
// whose ids its third argument, a JSON array (jsonIDs), holds, that are
// gone (goneWhere). Its rows are looked up by id (see markSentSQL). As
// claimSQL, a condition on claimed_until follows it: a run skips only
// what it could claim, never a delivery another run holds, whose message
// may be on the wire.
const skipGoneSQL = `UPDATE OR FAIL deliveries SET status = 'skipped', updated_at = ?
	WHERE +campaign_id = ? AND id IN (SELECT value FROM json_each(?)) AND status = 'queued' AND ` + goneWhere + ` AND `

// claimSQL claims, until its first argument, the queued deliveries of a
// campaign among those whose ids its third, a JSON array, holds. A
// condition on claimed_until follows it, and then RETURNING id. Its rows
// are looked up by id (see markSentSQL).
const claimSQL = `UPDATE OR FAIL deliveries SET claimed_until = ?, attempts = attempts + 1
	WHERE +campaign_id = ? AND id IN (SELECT value FROM json_each(?)) AND status = 'queued' AND `

// claim skips deliveries among ids whose subscriber can no longer get
// the campaign, then claims those still queued that meet cond, a condition
// on claimed_until with one argument, arg, in one transaction that first
// checks that the campaign still sends. The ids go to both statements as
// one JSON array (jsonIDs), so that their text is the same whatever the
// chunk's length.
func (l sqliteLedger) claim(ctx context.Context, cid int64, ids []int64, cond string, arg any) ([]int64, bool, error) {
	var claimed []int64
	var stopped, finished bool
	now := l.s.now()
	in := jsonIDs(ids)
	err := l.s.db.Tx(ctx, func(tx *sql.Tx) error {
		var status string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM campaigns WHERE id = ?`, cid).Scan(&status); err != nil {
			return fmt.Errorf("claim: %w", err)
		}
		if stopped = status != StatusSending; stopped {
			return nil
		}
		res, err := tx.ExecContext(ctx, skipGoneSQL+cond, now, cid, in, arg)
		if err != nil {
			return fmt.Errorf("skip gone subscribers: %w", err)
		}
		rows, err := tx.QueryContext(ctx, claimSQL+cond+` RETURNING id`, now.Add(claimFor), cid, in, arg)
		if err != nil {
			return fmt.Errorf("claim: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			claimed = append(claimed, id)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// With nothing claimed no result follows: when the skips ended
		// the campaign's last deliveries, it ends here, not at the
		// next reconcile.
		if skipped, _ := res.RowsAffected(); skipped > 0 && len(claimed) == 0 {
			finished, err = completeTx(ctx, tx, cid, now)
			return err
		}
		return nil
	})
	if finished && err == nil {
		l.s.logSent(ctx, cid)
	}
	return claimed, stopped, err
}

// Record implements mailer.Ledger.
func (l sqliteLedger) Record(ctx context.Context, cid int64, results []queue.Result) error {
	return l.s.Record(ctx, cid, results)
}

// ClearClaims releases every claim. serve calls it at start-up, before
// its sender runs: a claim left then belongs to a process that died, and
// its deliveries were in flight.
func (s *Store) ClearClaims(ctx context.Context) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE deliveries SET claimed_until = NULL WHERE claimed_until IS NOT NULL AND status = 'queued'`)
		return err
	})
}
