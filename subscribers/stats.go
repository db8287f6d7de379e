package subscribers

import (
	"context"
	"fmt"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// StatusCounts returns how many subscribers have each status; every status
// is present, zero or not.
func (s *Store) StatusCounts(ctx context.Context) (map[string]int, error) {
	out := map[string]int{StatusPending: 0, StatusConfirmed: 0, StatusUnsubscribed: 0, StatusBounced: 0}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT status, COUNT(*) FROM subscribers GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("count subscribers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, err
		}
		out[status] = n
	}
	return out, rows.Err()
}

// A DayCount is the number of signups on one day.
type DayCount struct {
	Day   time.Time
	Count int
}

// Growth returns the signups of each of the last days days, oldest first,
// including days with none.
func (s *Store) Growth(ctx context.Context, days int) ([]DayCount, error) {
	today := sqlite.Now().Truncate(24 * time.Hour)
	since := today.AddDate(0, 0, -(days - 1))
	rows, err := s.db.Read.QueryContext(ctx, `SELECT substr(created_at, 1, 10), COUNT(*) FROM subscribers
		WHERE created_at >= ? GROUP BY 1`, since)
	if err != nil {
		return nil, fmt.Errorf("subscriber growth: %w", err)
	}
	defer rows.Close()
	byDay := map[string]int{}
	for rows.Next() {
		var day string
		var n int
		if err := rows.Scan(&day, &n); err != nil {
			return nil, err
		}
		byDay[day] = n
	}
	out := make([]DayCount, 0, days)
	for d := since; !d.After(today); d = d.AddDate(0, 0, 1) {
		out = append(out, DayCount{Day: d, Count: byDay[d.Format("2006-01-02")]})
	}
	return out, rows.Err()
}
