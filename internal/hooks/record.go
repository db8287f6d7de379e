package hooks

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// record writes the outcomes of batch p in one transaction: each row
// delivered, due again after Backoff, or failed once MaxAge has passed;
// rows whose claim was superseded meanwhile are left alone. Then the
// endpoint's failure record: cleared by any success, started by a
// failure, and the endpoint disabled once it has failed for DisableAfter.
func (d *Dispatcher) record(ctx context.Context, p DeliverPayload, outs []outcome) error {
	now := d.Now()
	okAny, failAny, lastErr := false, false, ""
	err := d.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, o := range outs {
			if err := recordTx(ctx, tx, p, o, now); err != nil {
				return err
			}
			if o.ok() {
				okAny = true
			} else if o.posted {
				failAny, lastErr = true, o.err
			}
		}
		switch {
		case okAny:
			_, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL`, p.Endpoint)
			return err
		case failAny:
			return failTx(ctx, tx, p.Endpoint, lastErr, now)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record webhook deliveries: %w", err)
	}
	return nil
}

func recordTx(ctx context.Context, tx *sql.Tx, p DeliverPayload, o outcome, now time.Time) error {
	if !o.posted { // given up unsent: the last attempt's answer stays in the log
		_, err := tx.ExecContext(ctx, `UPDATE webhook_attempts SET state = 'failed', claim = 0,
			error = CASE WHEN error = '' THEN ? ELSE error END
			WHERE endpoint_id = ? AND event_id = ? AND claim = ? AND state = 'pending'`, o.err, p.Endpoint, o.ev.id, p.Claim)
		return err
	}
	state, next := "delivered", now
	var delivered any = now
	if !o.ok() {
		delivered = nil
		state, next = "pending", now.Add(Backoff(o.ev.attempts+1))
		if end := o.ev.created.Add(MaxAge); !now.Before(end) {
			state = "failed"
		} else if next.After(end) {
			next = end // one last try at the end of the 24 hours
		}
	}
	attempts := o.ev.attempts + 1
	_, err := tx.ExecContext(ctx, `UPDATE webhook_attempts SET state = ?, attempts = ?, next_at = ?, claim = 0,
		status_code = ?, latency_ms = ?, error = ?, last_at = ?, delivered_at = ?
		WHERE endpoint_id = ? AND event_id = ? AND claim = ? AND state = 'pending'`,
		state, attempts, next, o.status, o.latency.Milliseconds(), o.err, now, delivered,
		p.Endpoint, o.ev.id, p.Claim)
	return err
}

// failTx notes a batch with no success on endpoint id, disabling it once
// it has failed for DisableAfter.
func failTx(ctx context.Context, tx *sql.Tx, id int64, lastErr string, now time.Time) error {
	var since time.Time
	err := tx.QueryRowContext(ctx, `UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, ?)
		WHERE id = ? RETURNING failing_since`, now, id).Scan(&since)
	if err != nil || now.Sub(since) < DisableAfter {
		return err
	}
	reason := fmt.Sprintf("No 2xx answer since %s (last: %s); switched off after 3 days of failures.",
		since.UTC().Format("2006-01-02 15:04 MST"), lastErr)
	if _, err = tx.ExecContext(ctx, `UPDATE webhook_endpoints SET active = 0, disabled_at = ?, disabled_reason = ?, updated_at = ?
		WHERE id = ? AND active = 1`, now, reason, now, id); err != nil {
		return err
	}
	return dropPendingTx(ctx, tx, id)
}
