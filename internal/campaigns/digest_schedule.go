package campaigns

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/queue"
)

// WeeklyDay is the day weekly digests go out, at the list's digest hour.
const WeeklyDay = time.Monday

// dailySlot is the latest time at hour (UTC) not after now.
func dailySlot(now time.Time, hour int) time.Time {
	now = now.UTC()
	d := time.Date(now.Year(), now.Month(), now.Day(), hour, 0, 0, 0, time.UTC)
	if d.After(now) {
		d = d.AddDate(0, 0, -1)
	}
	return d
}

// weeklySlot is the latest WeeklyDay at hour (UTC) not after now.
func weeklySlot(now time.Time, hour int) time.Time {
	d := dailySlot(now, hour)
	for d.Weekday() != WeeklyDay {
		d = d.AddDate(0, 0, -1)
	}
	return d
}

// DueDigests returns the digests due at now: for each list with a
// schedule, each cadence whose latest slot is after its mark (or, before
// a list's first digest, after the list was made).
func (s *Service) DueDigests(ctx context.Context, now time.Time) ([]queue.DigestBuildPayload, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, slug, digest, digest_hour, created_at FROM lists WHERE digest <> 'off' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("due digests: %w", err)
	}
	type row struct {
		l    digestList
		hour int
	}
	var lists []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.l.id, &r.l.slug, &r.l.digest, &r.hour, &r.l.createdAt); err != nil {
			rows.Close()
			return nil, err
		}
		lists = append(lists, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var due []queue.DigestBuildPayload
	for _, r := range lists {
		cadences := []string{CadenceWeekly}
		if r.l.digest == CadenceDaily {
			cadences = []string{CadenceDaily, CadenceWeekly}
		}
		for _, c := range cadences {
			slot := dailySlot(now, r.hour)
			if c == CadenceWeekly {
				slot = weeklySlot(now, r.hour)
			}
			_, table := r.l.audience(c)
			m, err := readMark(ctx, s.db.Read, table, r.l.id)
			if err != nil {
				return nil, err
			}
			since := r.l.createdAt
			if m.ok {
				since = m.at
			}
			if since.Before(slot) {
				due = append(due, queue.DigestBuildPayload{List: r.l.slug, Cadence: c, Slot: slot})
			}
		}
	}
	return due, nil
}

// HandleDigestTick handles digest:tick: it queues a digest:build for each
// digest due now.
func (s *Service) HandleDigestTick(ctx context.Context, t *asynq.Task) error {
	due, err := s.DueDigests(ctx, s.now())
	if err != nil {
		return err
	}
	for _, p := range due {
		task, opts := queue.NewDigestBuildTask(p)
		if err := queue.EnqueueUnique(ctx, s.Queue, task, opts...); err != nil {
			return fmt.Errorf("enqueue digest:build: %w", err)
		}
	}
	return nil
}

// HandleDigestBuild handles digest:build: it builds the digest and starts
// sending it, unless it was built already for its slot.
func (s *Service) HandleDigestBuild(ctx context.Context, t *asynq.Task) error {
	var p queue.DigestBuildPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.Slot.IsZero() {
		return fmt.Errorf("decode digest:build: %v: %w", err, asynq.SkipRetry)
	}
	d, err := s.buildDigest(ctx, p.List, p.Cadence, p.Slot)
	if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
		return nil // the list is gone
	} else if err != nil {
		return err
	}
	if d != nil {
		s.log().Info("digest", "list", p.List, "cadence", p.Cadence, "campaign", d.ID, "articles", d.Articles, "recipients", d.Recipients)
	}
	return nil
}
