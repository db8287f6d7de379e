package articles

import (
	"context"
	"fmt"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// DefaultFeedPage is how many feeds List returns when asked for none.
const DefaultFeedPage = 100

// List returns up to limit feeds with an id above after, oldest first,
// and the id to pass as after for the next page (0 on the last page).
// A feed that is the same as another of its list has DuplicateOf set.
func (f *Feeds) List(ctx context.Context, after int64, limit int) ([]*Feed, int64, error) {
	if limit <= 0 || limit > 500 {
		limit = DefaultFeedPage
	}
	rows, err := f.db.Read.QueryContext(ctx, `SELECT `+feedColumns+` FROM feeds f JOIN lists l ON l.id = f.list_id
		WHERE f.id > ? ORDER BY f.id LIMIT ?`, after, limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("list feeds: %w", err)
	}
	defer rows.Close()
	var out []*Feed
	for rows.Next() {
		fd, err := scanFeed(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list feeds: %w", err)
		}
		out = append(out, fd)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list feeds: %w", err)
	}
	var next int64
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	if err := f.markDuplicates(ctx, out...); err != nil {
		return nil, 0, err
	}
	return out, next, nil
}

// SetActive pauses (false) or resumes (true) the feed of id and returns
// it. A paused feed is never polled; a resumed one is polled once now, as
// a new one is, so its status is fresh: a poll that fails is in its
// LastStatus and LastError, not an error, and Added counts what the poll
// added. Resuming a feed that is active already does not poll it, unless
// its polls are failing (the feeds page's "Poll now"): then it is polled
// now, not when its back-off says (pollBackoff), as its site may have
// been fixed; failing again, it is polled again after the interval.
func (f *Feeds) SetActive(ctx context.Context, id int64, active bool) (*Feed, error) {
	res, err := f.db.Write.ExecContext(ctx, `UPDATE feeds SET active = ? WHERE id = ? AND active != ?`, active, id, active)
	if err != nil {
		return nil, fmt.Errorf("set feed active: %w", err)
	}
	changed, _ := res.RowsAffected()
	fd, err := f.Get(ctx, id)
	if err != nil || !active || (changed == 0 && fd.Failures == 0) {
		return fd, err
	}
	added, _ := f.poll(ctx, fd, true, false)
	if fd, err = f.Get(ctx, id); err != nil {
		return nil, err
	}
	fd.Added = added
	return fd, nil
}

// Delete removes the feed of id. The articles it brought stay; its
// memory of their items goes with it, but the items whose articles were
// deleted are its list's (deleted_feed_items), so the same feed added
// again at its URL does not bring them back, nor at a new URL those known
// by their links or by global ids (see globalID).
func (f *Feeds) Delete(ctx context.Context, id int64) error {
	res, err := f.db.Write.ExecContext(ctx, `DELETE FROM feeds WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete feed: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return bulletin.Errorf(bulletin.ENOTFOUND, "There is no feed %d.", id)
	}
	return nil
}
