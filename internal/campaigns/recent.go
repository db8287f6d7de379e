package campaigns

import (
	"context"
	"fmt"
)

// Recent returns the newest n campaigns of kind (campaign or digest; empty
// for both), newest first, with their lists and stats: the admin area's
// view, where the latest matter most.
func (s *Store) Recent(ctx context.Context, kind string, n int) ([]*Campaign, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, subject, body, status, send_at, created_at, started_at, finished_at
		FROM campaigns WHERE (? = '' OR kind = ?) ORDER BY id DESC LIMIT ?`, kind, kind, n)
	if err != nil {
		return nil, fmt.Errorf("recent campaigns: %w", err)
	}
	var out []*Campaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, c := range out {
		if c.Lists, err = s.lists(ctx, c.ID); err != nil {
			return nil, err
		}
		if c.Stats, err = s.stats(ctx, c.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}
