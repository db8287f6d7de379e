package campaigns

import (
	"context"
	"database/sql"
)

// collect scans every row with scan and closes rows before it returns, so
// the caller's follow-up queries do not hold a second read connection.
func collect[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// nextPage cuts items, fetched with one row more than limit, to limit and
// returns the keyset cursor of the next page (0 on the last page).
func nextPage[T any](items []T, limit int, id func(T) int64) ([]T, int64) {
	if len(items) <= limit {
		return items, 0
	}
	items = items[:limit]
	return items, id(items[limit-1])
}

// fill adds a campaign's lists, delivery stats and audience; counted (nil
// for a read of one campaign) keeps the audiences of a read of several.
func (s *Store) fill(ctx context.Context, c *Campaign, counted audiences) error {
	var err error
	if c.Lists, err = s.lists(ctx, c.ID); err != nil {
		return err
	}
	if c.Stats, err = s.stats(ctx, c.ID); err != nil {
		return err
	}
	c.Audience, err = s.audienceOf(ctx, c, counted)
	return err
}
