package articles

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
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
// The row of an item its feed last gave no date is kept far longer
// (UndatedItemMemory): nothing tells that item coming back from a new one.
const FeedItemMemory = DeletedItemMemory

// UndatedItemMemory is how long a feed remembers an item it last gave
// without a date, once its reads stopped seeing it. Nothing but the row
// tells such an item coming back from a new story: mayBeForgotten goes by
// the date, and an undated item is dated when first saved. So an undated
// item that comes back after its row went is news again, known only by
// its link: one whose article was deleted is stored again (its deleted
// items are kept only as long as its row, forgettableDeleted), and one
// whose link changed meanwhile is a second article, each mailed by the
// list's next digest. A year away makes that rare, as a feed lists its
// latest items and one it dropped a year ago is gone from it; a month,
// the dated items' memory, would bring back the deleted items of a site
// that drops items for some weeks by mistake. But the rows no longer grow
// for ever, as they did: a feed that dates none of its items and adds 20
// a day keeps some 7,300 rows, not 7,300 more each year.
const UndatedItemMemory = 365 * 24 * time.Hour

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
// are kept for a year (UndatedItemMemory), after which such an item is
// news again. The feed's first read is the exception: a new feed brings
// its back issues, stored as old news.
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

// forgettableUndated is forgettableItems for the undated items, not seen
// since ?2 (the poll's time less UndatedItemMemory), read from the index
// feed_items_undated_seen (migration 075). undated is written out, not a
// parameter, so that SQLite can read each partial index.
const forgettableUndated = `FROM feed_items WHERE feed_id = ? AND undated = 1 AND seen_at < ?
	AND seen_at < (SELECT fetched_at FROM feeds WHERE id = ?)`

// itemMemories are how long a feed remembers its dated and its undated
// items, each with the rows it lets go; keepsDeleted marks the undated,
// whose deleted items are kept while the feed remembers them
// (forgettableDeleted).
var itemMemories = []struct {
	span         time.Duration
	forgettable  string
	keepsDeleted bool
}{{FeedItemMemory, forgettableItems, false}, {UndatedItemMemory, forgettableUndated, true}}

// forgetItems forgets, of each of itemMemories, up to forgetBatch of the
// oldest items of feed feedID that it has not listed for that long, and
// returns how many it forgot, and whether it found a full batch of either
// (more may be left for the next poll).
func (f *Feeds) forgetItems(ctx context.Context, feedID int64) (forgot int, more bool, err error) {
	for _, m := range itemMemories {
		n, full, err := f.forgetSome(ctx, feedID, f.now().Add(-m.span), m.forgettable)
		forgot += n
		more = more || full
		if n > 0 && m.keepsDeleted {
			// Their deleted items, the feed's, may go now, at this poll.
			f.feedDeletedForgets.lookNow(feedID)
		}
		if err != nil {
			return forgot, more, err
		}
	}
	return forgot, more, nil
}

// forgetSome forgets up to forgetBatch of the oldest rows of feed feedID
// that forgettable (forgettableItems, forgettableUndated) selects with
// cutoff, and returns how many it forgot and whether it found a full
// batch. Like forgetDeleted it finds them on the read pool, so that a
// poll with none to forget writes nothing, and deletes them by key, each
// checked again: a poll may have seen one since.
func (f *Feeds) forgetSome(ctx context.Context, feedID int64, cutoff time.Time, forgettable string) (int, bool, error) {
	ids, err := sqlite.Column[string](f.db.Read.QueryContext(ctx, `SELECT item_id `+forgettable+` ORDER BY seen_at LIMIT ?`,
		feedID, cutoff, feedID, forgetBatch))
	if err != nil {
		return 0, false, fmt.Errorf("find feed items to forget: %w", err)
	}
	if len(ids) == 0 {
		return 0, false, nil
	}
	args := make([][]any, len(ids))
	for i, id := range ids {
		args[i] = []any{feedID, cutoff, feedID, id}
	}
	forgot, err := f.deleteEach(ctx, `DELETE `+forgettable+` AND item_id = ?`, args)
	if err != nil {
		return 0, false, fmt.Errorf("forget feed items: %w", err)
	}
	return forgot, len(ids) == forgetBatch, nil
}

// forgetSearchEvery is how long a feed's polls go without looking for its
// items to forget when nothing says one may be there (forgetClock), and
// polls without looking for deleted items to forget.
//
// A row may be forgotten once a read of all the feed's items has left it
// out and its memory has passed since a poll last saw it: a search finds
// one it did not find before only after such a read, or as rows age. Most
// polls read nothing (304 Not Modified); a search at each cost each a
// query, and a write whenever a row had aged past its memory since the
// poll before (a 304 poll that forgot a batch used some ten times the CPU
// of one that did not: BenchmarkPollWithOldFeedItems). A day apart, the
// same rows go in one write a day, each up to a day past its memory,
// which is safe: forgetting is safe because a row is kept at least that
// long (mayBeForgotten), and a day more of 30 or 365 keeps few rows. So
// for the deleted items, whose search walks every one kept past its month
// (forgetDeletedIfDue): one kept up to a day longer stays deleted a day
// longer, no more.
const forgetSearchEvery = 24 * time.Hour

// A forgetClock tells a poll whether to look for its feed's items to
// forget: after a read of all the feed's items (lookNow), after a search
// that found a full batch (there may be more: a backlog still goes a
// batch a poll), and otherwise forgetSearchEvery after the feed's last
// search. It is kept in memory: a process that starts, or another that
// polls the feed, looks at its first poll of each feed. The search for a
// feed's deleted items to forget has a clock of its own
// (feedDeletedForgets): after a read of all the feed's items, after a
// full batch, after the feed's undated items went, or a day on; and so
// has the search for every list's, with one key (deletedSearch): after a
// full batch, or a day on, for the rows of no feed and those that aged.
type forgetClock struct {
	mu sync.Mutex
	// next is when each search (a feed's, by its id) is next due; one
	// not in it is due at the next poll.
	next map[int64]time.Time
}

// due reports whether a poll of feed id at now looks for items to forget.
func (c *forgetClock) due(id int64, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	next, ok := c.next[id]
	return !ok || !now.Before(next)
}

// searched records that a poll of feed id looked at now; again makes the
// next poll look again (a full batch, or a search that failed).
func (c *forgetClock) searched(id int64, now time.Time, again bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if again {
		delete(c.next, id)
		return
	}
	if c.next == nil {
		c.next = map[int64]time.Time{}
	}
	c.next[id] = now.Add(forgetSearchEvery)
}

// lookNow makes the next search of id due at once: something may have
// made rows forgettable that were not (a read of all a feed's items, an
// undated item forgotten).
func (c *forgetClock) lookNow(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.next, id)
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
