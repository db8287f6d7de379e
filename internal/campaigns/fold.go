package campaigns

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// Defaults of a Folder.
const (
	DefaultFoldBatch  = 1000
	DefaultFoldPause  = 10 * time.Millisecond
	DefaultVacuumStep = 1000 // pages, 4 MB of 4 KiB pages

	// foldShare is the most of the writer's time a fold takes: after
	// each transaction it sleeps three times as long as that took, so
	// signups and results wait at most one short transaction.
	foldShare = 4
)

// A Folder keeps per-reader delivery rows for a retention period, then
// folds them into their campaign's totals (folded_* columns, which stats
// add to the rows left) and each reader's last_mailed_at, and gives the
// space back with incremental vacuum. Only campaigns that are over (sent
// or cancelled) and finished more than Retention ago are folded; rows
// still queued never are. Each batch counts, updates and deletes its rows
// in one write transaction, so a fold stopped anywhere leaves every total
// right, and short batches with pauses between them let signups and
// results write in between.
type Folder struct {
	Store     *Store
	Retention time.Duration
	// Batch is the most rows per transaction; DefaultFoldBatch when 0.
	Batch int
	// Pause is the least sleep between transactions, which is also at
	// least three times the last one took; DefaultFoldPause when 0, none
	// at all when negative.
	Pause time.Duration
	// VacuumStep is the most pages given back per step; DefaultVacuumStep
	// when 0.
	VacuumStep int
	// Log gets a line per campaign folded; slog.Default() when nil.
	Log *slog.Logger
	// Folded, when set, is told of the rows each batch folded.
	Folded func(rows int)
}

// A FoldResult counts what a pass folded.
type FoldResult struct {
	Campaigns int
	Rows      int64
	// Vacuumed is the pages given back to the file system.
	Vacuumed int
}

func (f *Folder) batch() int {
	if f.Batch > 0 {
		return f.Batch
	}
	return DefaultFoldBatch
}

func (f *Folder) log() *slog.Logger {
	if f.Log != nil {
		return f.Log
	}
	return slog.Default()
}

// Run folds every campaign due, then gives the freed pages back. A
// Retention of 0 folds nothing.
func (f *Folder) Run(ctx context.Context) (FoldResult, error) {
	var res FoldResult
	if f.Retention <= 0 {
		return res, nil
	}
	ids, err := f.due(ctx)
	if err != nil {
		return res, err
	}
	for _, id := range ids {
		n, err := f.foldCampaign(ctx, id)
		res.Rows += n
		if err != nil {
			return res, err
		}
		res.Campaigns++
	}
	res.Vacuumed, err = f.vacuum(ctx)
	return res, err
}

// due lists the campaigns over and finished before the retention, not
// folded yet.
func (f *Folder) due(ctx context.Context) ([]int64, error) {
	cutoff := f.Store.now().Add(-f.Retention)
	ids, err := sqlite.Column[int64](f.Store.db.Read.QueryContext(ctx, `SELECT id FROM campaigns WHERE status IN ('sent', 'cancelled')
		AND folded_at IS NULL AND COALESCE(finished_at, updated_at) < ? ORDER BY id`, cutoff))
	if err != nil {
		return nil, fmt.Errorf("campaigns to fold: %w", err)
	}
	return ids, nil
}

// foldCampaign folds campaign id batch by batch and logs it.
func (f *Folder) foldCampaign(ctx context.Context, id int64) (int64, error) {
	start := time.Now()
	var total int64
	for {
		t := time.Now()
		n, done, err := f.FoldBatch(ctx, id)
		total += int64(n)
		if err != nil {
			return total, fmt.Errorf("fold campaign %d: %w", id, err)
		}
		if done {
			break
		}
		if err := f.pause(ctx, time.Since(t)); err != nil {
			return total, err
		}
	}
	f.log().Info("campaign deliveries folded", "campaign", id, "rows", total, "took", time.Since(start).Round(time.Millisecond))
	return total, nil
}

// pause sleeps after a write that took took.
func (f *Folder) pause(ctx context.Context, took time.Duration) error {
	d := f.Pause
	if d == 0 {
		d = DefaultFoldPause
	}
	if d < 0 {
		return ctx.Err()
	}
	d = max(d, took*(foldShare-1))
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// FoldBatch folds at most Batch rows of campaign id in one transaction and
// reports how many, and whether the campaign is done (marked folded, and
// made unable to fan out again: fanout_done).
func (f *Folder) FoldBatch(ctx context.Context, id int64) (int, bool, error) {
	var n int
	var done bool
	err := f.Store.db.Tx(ctx, func(tx *sql.Tx) error {
		var status string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM campaigns WHERE id = ?`, id).Scan(&status); err != nil {
			return err
		}
		if status != StatusSent && status != StatusCancelled {
			done = true
			return nil
		}
		ids, counts, err := foldRows(ctx, tx, id, f.batch())
		if err != nil {
			return err
		}
		n = len(ids)
		if n > 0 {
			if err := foldTotals(ctx, tx, id, ids, counts); err != nil {
				return err
			}
		}
		if n < f.batch() {
			done = true
			_, err = tx.ExecContext(ctx, `UPDATE campaigns SET folded_at = ?, fanout_done = 1 WHERE id = ?`, f.Store.now(), id)
		}
		return err
	})
	if err == nil && n > 0 && f.Folded != nil {
		f.Folded(n)
	}
	return n, done, err
}

// foldRows reads the next rows of campaign id to fold: any but queued.
func foldRows(ctx context.Context, tx *sql.Tx, id int64, limit int) ([]int64, map[string]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, status FROM deliveries WHERE campaign_id = ? AND status <> 'queued' LIMIT ?`, id, limit)
	if err != nil {
		return nil, nil, fmt.Errorf("rows to fold: %w", err)
	}
	defer rows.Close()
	var ids []int64
	counts := map[string]int{}
	for rows.Next() {
		var did int64
		var status string
		if err := rows.Scan(&did, &status); err != nil {
			return nil, nil, err
		}
		ids = append(ids, did)
		counts[status]++
	}
	return ids, counts, rows.Err()
}

// foldTotals adds rows ids, counted by status, to campaign id's totals and
// their readers' last_mailed_at, then deletes them.
func foldTotals(ctx context.Context, tx *sql.Tx, id int64, ids []int64, counts map[string]int) error {
	buf, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET folded_sent = folded_sent + ?, folded_failed = folded_failed + ?,
		folded_bounced = folded_bounced + ?, folded_skipped = folded_skipped + ? WHERE id = ?`,
		counts["sent"], counts["failed"], counts["bounced"], counts["skipped"], id); err != nil {
		return fmt.Errorf("fold totals: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET last_mailed_at = f.at FROM (
		SELECT subscriber_id, MAX(sent_at) AS at FROM deliveries WHERE id IN (SELECT value FROM json_each(?)) AND sent_at IS NOT NULL
		GROUP BY subscriber_id) AS f
		WHERE subscribers.id = f.subscriber_id AND (subscribers.last_mailed_at IS NULL OR subscribers.last_mailed_at < f.at)`, string(buf)); err != nil {
		return fmt.Errorf("fold last mailed: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM deliveries WHERE id IN (SELECT value FROM json_each(?))`, string(buf)); err != nil {
		return fmt.Errorf("delete folded rows: %w", err)
	}
	return nil
}

// vacuum gives the free pages back in steps, pausing between them, and
// checkpoints the WAL so that the file shrinks.
func (f *Folder) vacuum(ctx context.Context) (int, error) {
	step := f.VacuumStep
	if step <= 0 {
		step = DefaultVacuumStep
	}
	total := 0
	for {
		t := time.Now()
		n, err := f.Store.db.IncrementalVacuum(ctx, step)
		total += n
		if err != nil || n == 0 {
			if err == nil && total > 0 {
				err = f.Store.db.Checkpoint(ctx)
			}
			return total, err
		}
		if err := f.pause(ctx, time.Since(t)); err != nil {
			return total, err
		}
	}
}

// Loop runs a pass first after start, then every every, until ctx ends.
// A pass that fails is logged and tried again at the next tick.
func (f *Folder) Loop(ctx context.Context, first, every time.Duration) {
	t := time.NewTimer(first)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if res, err := f.Run(ctx); err != nil && ctx.Err() == nil {
			f.log().Error("delivery fold incomplete; the next run goes on", "err", err)
		} else if res.Rows > 0 {
			f.log().Info("delivery fold done", "campaigns", res.Campaigns, "rows", res.Rows, "pages_freed", res.Vacuumed)
		}
		t.Reset(every)
	}
}
