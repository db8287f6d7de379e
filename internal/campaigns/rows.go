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

// fill adds a campaign's lists, delivery stats and audience.
func (s *Store) fill(ctx context.Context, c *Campaign) error {
	if err := s.fillRows(ctx, c); err != nil {
		return err
	}
	var err error
	c.Audience, err = s.audienceOf(ctx, c, nil)
	return err
}

// fillAll fills cs as fill does each, for a read of several campaigns:
// the audiences of the drafts and scheduled ones are counted together
// (countAudiences), where one by one each set of their lists cost a
// count of its readers.
func (s *Store) fillAll(ctx context.Context, cs []*Campaign) error {
	for _, c := range cs {
		if err := s.fillRows(ctx, c); err != nil {
			return err
		}
	}
	counted, err := s.countAudiences(ctx, cs)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.Audience, err = s.audienceOf(ctx, c, counted); err != nil {
			return err
		}
	}
	return nil
}

// fillRows adds a campaign's lists and delivery stats.
func (s *Store) fillRows(ctx context.Context, c *Campaign) error {
	var err error
	if c.Lists, err = s.lists(ctx, c.ID); err != nil {
		return err
	}
	c.Stats, err = s.stats(ctx, c.ID)
	return err
}
