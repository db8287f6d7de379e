package articles

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// FeedItemMemory is how long a feed remembers an item it no longer lists
// (feed_items, migration 071): a row goes once the feed's polls that read
// all its items have left the item out for that long. Without it a feed
// polled for years kept a row for every item of those years.
//
// It is DeletedItemMemory, as both memories end on the same evidence (a
// feed lists its latest items: one left out for a month is gone from it),
// and as what makes forgetting safe is the same for both: an item that
// comes back after its row is gone was dated before the poll that last
// saw it, so over a month back, and a poll stores no item it does not
// know dated that far back (mayBeForgotten). A shorter memory would need
// a shorter cutoff, which would refuse more of the old items a feed adds
// (a post filed late, say); a longer one would keep rows for nothing, as
// the deleted items a list remembers go after DeletedItemMemory anyway.
// A feed that lists 50 items and adds 20 a day keeps some 650 rows, not
// 7,300 more a year.
//
// The row of an item its feed last gave no date is never forgotten:
// nothing would tell the item coming back from a new one, which is dated
// when first saved, and mailed. Such feeds are few (Atom dates every
// entry), and keep a row for each item they ever listed, as all feeds
// did.
const FeedItemMemory = DeletedItemMemory

// errLongGone is saveItem's answer for an item it did not store as it
// may be one the feed or its list forgot (mayBeForgotten). Its text is
// the reason the feed's status gives for skipping it.
var errLongGone = fmt.Errorf("dated over %d days ago", int(forgetCutoff/(24*time.Hour)))

// forgetCutoff is how long before a poll an item the feed does not know
// is dated when it may be one a memory forgot: the shorter memory's
// span, since either may have forgotten it.
const forgetCutoff = min(FeedItemMemory, DeletedItemMemory)

// mayBeForgotten reports whether an item dated published (nil for none),
// which the feed fp polls does not know (or knows its guid as another
// story's) and its list does not remember deleted, may be an item the
// feed or the list forgot, come back: one dated over forgetCutoff before
// the poll. Such an item is not stored.
//
// An editor who deleted an article expects it to stay deleted while a
// feed gives the same story (its link or its title: deletedRow.is), and
// a new story under a guid the feed gives out again to come in. A memory
// that forgets must not undo that: a deleted item that comes back dated
// after its rows went was last seen, and so dated, over a month before,
// and refusing every unknown item dated that far back keeps it deleted,
// where storing it as old news put it back in the admin's articles (and
// a live item whose row went, come back under a new link, would have been
// a second article). A new story dated now still comes in, under a reused
// guid or not. Only undated items cannot be told this way, so their rows
// are kept (FeedItemMemory, forgetDeleted). The feed's first read is the
// exception: a new feed brings its back issues, stored as old news.
func (fp feedPoll) mayBeForgotten(published *time.Time) bool {
	return fp.readBefore && published != nil && published.Before(fp.at.Add(-forgetCutoff))
}

// forgettableItems selects the rows of feed ?1 that may be forgotten:
// dated items not seen since ?2 (the poll's time less FeedItemMemory),
// nor at the feed's latest read of all its items (a row it saw has
// seen_at = fetched_at; NULL, no read yet, keeps every row). ?3 is the
// feed again. The rows come from the index feed_items_seen, oldest first.
const forgettableItems = `FROM feed_items WHERE feed_id = ? AND undated = 0 AND seen_at < ?
	AND seen_at < (SELECT fetched_at FROM feeds WHERE id = ?)`

// forgetItems forgets up to forgetBatch of the oldest items of feed
// feedID that it has not listed for FeedItemMemory (forgettableItems),
// and returns how many it forgot. Like forgetDeleted it finds them on the
// read pool, so that a poll with none to forget writes nothing, and
// deletes them by key, each checked again: a poll may have seen one since.
func (f *Feeds) forgetItems(ctx context.Context, feedID int64) (int, error) {
	cutoff := f.now().Add(-FeedItemMemory)
	ids, err := sqlite.Column[string](f.db.Read.QueryContext(ctx, `SELECT item_id `+forgettableItems+` ORDER BY seen_at LIMIT ?`,
		feedID, cutoff, feedID, forgetBatch))
	if err != nil {
		return 0, fmt.Errorf("find feed items to forget: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	args := make([][]any, len(ids))
	for i, id := range ids {
		args[i] = []any{feedID, cutoff, feedID, id}
	}
	forgot, err := f.deleteEach(ctx, `DELETE `+forgettableItems+` AND item_id = ?`, args)
	if err != nil {
		return 0, fmt.Errorf("forget feed items: %w", err)
	}
	return forgot, nil
}

// deleteEach runs the DELETE query once with each of args, in one write
// transaction, and returns how many rows went. The forgetting passes
// delete the rows they found on the read pool by key, each with its
// condition again: a poll may have seen one since.
func (f *Feeds) deleteEach(ctx context.Context, query string, args [][]any) (int, error) {
	deleted := 0
	err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, a := range args {
			res, err := tx.ExecContext(ctx, query, a...)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			deleted += int(n)
		}
		return nil
	})
	return deleted, err
}
