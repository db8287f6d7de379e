package articles

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
)

// An editor who takes an article off a list (Update with lists) expects it
// to stay off: a feed that still gives the article used to put it back at
// its next full read, as a new link, and the list's next digest mailed it.
// Each list an editor takes an article off is remembered by list, not by
// feed (article_list_removals, migration 074): no feed of that list, nor
// the seeds, nor the API's POST (a CMS posts an article again at each
// save, naming the lists it always names), puts the article back on it; a
// feed of another list still adds it to that list. Only an editor's
// change of the article's lists puts it back: the admin's form, or the
// API's PATCH with lists (Update).

// leaveOtherLists takes article id off every list not in ids, and
// remembers each list it took it off.
func leaveOtherLists(ctx context.Context, tx *sql.Tx, id int64, ids []int64) error {
	keep, err := json.Marshal(append([]int64{}, ids...)) // [] for none: json_each('null') is one NULL row
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO article_list_removals (article_id, list_id)
		SELECT article_id, list_id FROM article_lists WHERE article_id = ? AND list_id NOT IN (SELECT value FROM json_each(?))
		ON CONFLICT DO NOTHING`, id, string(keep)); err != nil {
		return fmt.Errorf("remember lists left: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_lists WHERE article_id = ?
		AND list_id NOT IN (SELECT value FROM json_each(?))`, id, string(keep)); err != nil {
		return fmt.Errorf("unlink article: %w", err)
	}
	return nil
}

// notTakenOff returns the lists of ids that no editor took article id
// off, in order: those a save by URL (a feed's, the seeds', a POST) may
// add it to.
func notTakenOff(ctx context.Context, tx *sql.Tx, id int64, ids []int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT list_id FROM article_list_removals WHERE article_id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("find lists left: %w", err)
	}
	defer rows.Close()
	var off []int64
	for rows.Next() {
		var l int64
		if err := rows.Scan(&l); err != nil {
			return nil, fmt.Errorf("find lists left: %w", err)
		}
		off = append(off, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find lists left: %w", err)
	}
	return slices.DeleteFunc(slices.Clone(ids), func(l int64) bool { return slices.Contains(off, l) }), nil
}

// putBack forgets that an editor took article id off the lists of ids:
// an editor (the admin's form, the API's PATCH) puts it on them.
func putBack(ctx context.Context, tx *sql.Tx, id int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	on, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_list_removals WHERE article_id = ?
		AND list_id IN (SELECT value FROM json_each(?))`, id, string(on)); err != nil {
		return fmt.Errorf("forget lists left: %w", err)
	}
	return nil
}
