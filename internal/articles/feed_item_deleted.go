package articles

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// DeletedItemMemory is how long a deleted feed item is remembered after
// a poll last saw it in a feed (deleted_feed_items, migration 070), or
// after it was deleted. A feed lists its latest items: one it has left
// out for a month is gone from it, and were it to come back it would be
// dated a month or more before, four times OldNewsAge, which no poll
// stores from an item it does not know (mayBeForgotten): the item stays
// deleted. An undated item would be news again, so the row of a feed
// that gives its item undated is kept as long as the feed's row of the
// item (forgettableDeleted, UndatedItemMemory). A month also
// outlasts a site's passing mistakes (a feed served short or stale for
// some days). A feed that cannot tell whether it still has an item (it
// answers 304 Not Modified, fails, or is paused) keeps its rows until it
// has read its items again. A list deleting 50 articles a day keeps a few
// thousand rows of some 100 bytes (and its undated items' for a year),
// not a row per delete for ever.
const DeletedItemMemory = 30 * 24 * time.Hour

// forgetBatch is how many rows one poll forgets at most of each memory
// (deleted_feed_items, and the polled feed's feed_items): the write is
// short, whatever the backlog (a database upgraded with years of deletes,
// or a feed with years of items); the next polls take the rest.
const forgetBatch = 100

// A feedPoll is one poll of a feed, as it saves the feed's items.
type feedPoll struct {
	feedID int64
	// feedURL is the feed's URL as feeds stores it: the feed's weak
	// guids are its own under it, and the feed deleted and added again
	// at it has them again.
	feedURL string
	// at is when the poll began: it sees its items, deleted or not,
	// then, and reads all its items as of then (feeds.fetched_at).
	at time.Time
	// readBefore is set when an earlier poll read all the feed's items:
	// this one is not the feed's first read, whose back issues are
	// stored however old (see mayBeForgotten).
	readBefore bool
}

// globalID reports whether an item id names one item whichever feed
// gives it: a URL, a tag: URI (RFC 4151), a URN (RFC 8141), or the hash
// newItemKey keeps of a long guid. Another id ("1", "42", "post-17") is a
// weak guid: the feed's own name, which another feed may give to another
// story.
func globalID(id string) bool {
	scheme, rest, ok := strings.Cut(id, ":")
	if !ok || rest == "" {
		return false
	}
	switch strings.ToLower(scheme) {
	case "http", "https", "tag", "urn", "sha256":
		return true
	}
	return false
}

// A deletedRow is a row of deleted_feed_items (migration 070).
type deletedRow struct {
	listID                       int64
	itemID, feedURL, link, title string
}

// knows reports whether the row says which story it was.
func (r deletedRow) knows() bool { return r.link != "" || r.title != "" }

// is reports whether the item of key and title, polled by fp, is the
// row's deleted article: its link is the row's id (a URL is one article,
// whichever feed gives it), or its guid is, in the row's feed or any
// feed for a global id, and it is the row's story (sameStory) or the row
// does not know its story. A guid given since to another story (a new
// link and a new title) is that story's.
func (r deletedRow) is(fp feedPoll, key itemKey, title string) bool {
	switch {
	case r.itemID == key.link:
		return true
	case r.itemID != key.id:
		return false
	case r.feedURL != "" && r.feedURL != fp.feedURL && !globalID(key.id):
		return false
	}
	return !r.knows() || sameStory(r.link, r.title, key, title)
}

// seenDeleted reports whether the item of key and title, polled by fp,
// is an article deleted from the feed's list. When it is, it records that
// the poll saw it: each row it is has fp.at as seen_at, a row that did
// not know its story learns the item's, and the feed has a row of its own
// for key's id, which forgetDeleted keeps while the feed may carry the
// item.
func seenDeleted(ctx context.Context, tx *sql.Tx, fp feedPoll, key itemKey, title string) (bool, error) {
	rows, err := deletedRows(ctx, tx, fp.feedID, key)
	if err != nil {
		return false, err
	}
	deleted := false
	for _, r := range rows {
		if !r.is(fp, key, title) {
			continue
		}
		deleted = true
		if !r.knows() {
			r.link, r.title = key.link, title
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deleted_feed_items SET link = ?, title = ?, seen_at = ?
			WHERE list_id = (SELECT list_id FROM feeds WHERE id = ?) AND item_id = ? AND feed_url = ?`,
			r.link, r.title, fp.at, fp.feedID, r.itemID, r.feedURL); err != nil {
			return false, fmt.Errorf("see deleted feed item: %w", err)
		}
	}
	if !deleted {
		return false, nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO deleted_feed_items (list_id, item_id, feed_url, link, title, seen_at)
		SELECT list_id, ?, url, ?, ?, ? FROM feeds WHERE id = ?
		ON CONFLICT (list_id, item_id, feed_url) DO UPDATE SET seen_at = excluded.seen_at`,
		key.id, key.link, title, fp.at, fp.feedID)
	if err != nil {
		return false, fmt.Errorf("see deleted feed item: %w", err)
	}
	return true, nil
}

// deletedRows returns the rows of the list of feed feedID whose id is
// key's id or link.
func deletedRows(ctx context.Context, tx *sql.Tx, feedID int64, key itemKey) ([]deletedRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT item_id, feed_url, link, title FROM deleted_feed_items
		WHERE list_id = (SELECT list_id FROM feeds WHERE id = ?) AND item_id IN (?, ?)`, feedID, key.id, key.link)
	if err != nil {
		return nil, fmt.Errorf("find deleted feed item: %w", err)
	}
	defer rows.Close()
	var out []deletedRow
	for rows.Next() {
		var r deletedRow
		if err := rows.Scan(&r.itemID, &r.feedURL, &r.link, &r.title); err != nil {
			return nil, fmt.Errorf("find deleted feed item: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find deleted feed item: %w", err)
	}
	return out, nil
}

// fetchedAll records that the poll fp read every item of its feed: the
// rows of the feed it did not see are not in the feed.
func (f *Feeds) fetchedAll(ctx context.Context, fp feedPoll) error {
	if _, err := f.db.Write.ExecContext(ctx, `UPDATE feeds SET fetched_at = ? WHERE id = ?`, fp.at, fp.feedID); err != nil {
		return fmt.Errorf("record the feed's items read: %w", err)
	}
	// The rows of the feed it did not see may be old enough to go
	// already (a feed that answered 304 for a month); of the deleted
	// items, only the feed's own rows wait for its read.
	f.forgets.lookNow(fp.feedID)
	f.feedDeletedForgets.lookNow(fp.feedID)
	return nil
}

// forgettableDeleted selects the deleted feed items that may be
// forgotten: those no poll has seen since ? (now less DeletedItemMemory),
// but for a row of a feed that has not read all its items since it saw
// the row, or ever (the feed may still carry the item), or that gives the
// item undated (feed_items.undated: only its date would tell it coming
// back from news) while the feed remembers the item (UndatedItemMemory).
// A row of no feed (an article's URL, a feed deleted since) goes by its
// age.
const forgettableDeleted = `FROM deleted_feed_items AS d WHERE d.seen_at < ? AND NOT ` + deletedKept

// deletedKept is the condition that keeps a deleted item d past its
// month (forgettableDeleted).
const deletedKept = `EXISTS (SELECT 1 FROM feeds f WHERE f.url = d.feed_url AND f.list_id = d.list_id
		AND (f.fetched_at IS NULL OR f.fetched_at <= d.seen_at
			OR EXISTS (SELECT 1 FROM feed_items fi WHERE fi.feed_id = f.id AND fi.item_id = d.item_id AND fi.undated = 1)))`

// forgettableFeedDeleted is forgettableDeleted for the rows of the list
// of feed ?1 whose feed URL is ?2: the feed's own (those its read of all
// its items, or its undated items forgotten, may let go) or the list's of
// no feed (an empty URL), read from deleted_feed_items_feed (migration
// 078), oldest first. The search after a feed's read walked every row
// kept past its month, those other feeds keep included.
const forgettableFeedDeleted = `FROM deleted_feed_items AS d
	WHERE d.list_id = (SELECT list_id FROM feeds WHERE id = ?) AND d.feed_url = ? AND d.seen_at < ? AND NOT ` + deletedKept

// deletedSearch is the deletedForgets key of the search for deleted
// items to forget of every feed and list.
const deletedSearch int64 = 0

// forgetFeedDeleted forgets the oldest deleted items of fd
// (forgetDeleted): its own rows, and its list's rows of no feed (an
// article's URL, which a read of any feed of the list may have seen).
func (f *Feeds) forgetFeedDeleted(ctx context.Context, fd *Feed) (int, bool, error) {
	forgot, more, err := f.forgetDeleted(ctx, forgettableFeedDeleted, fd.ID, fd.URL)
	if err != nil {
		return forgot, more, err
	}
	n, full, err := f.forgetDeleted(ctx, forgettableFeedDeleted, fd.ID, "")
	return forgot + n, more || full, err
}

// forgetDeleted forgets the oldest deleted feed items no poll has seen
// for DeletedItemMemory that find selects (forgettableDeleted, or
// forgettableFeedDeleted with scope, the feed's id and a feed URL), up to
// forgetBatch of them, and returns how many it forgot, and whether it
// found a full batch (more may be left for the next poll). They are found
// by seen_at on the read pool, so that a poll with none to forget (most
// polls) writes nothing, and deleted by key, each checked again, as a
// poll may have seen it since: a DELETE by a subquery of keys would read
// the whole list's rows for each.
func (f *Feeds) forgetDeleted(ctx context.Context, find string, scope ...any) (int, bool, error) {
	cutoff := f.now().Add(-DeletedItemMemory)
	args := append(scope, cutoff, forgetBatch)
	rows, err := f.db.Read.QueryContext(ctx, `SELECT d.list_id, d.item_id, d.feed_url `+find+`
		ORDER BY d.seen_at LIMIT ?`, args...)
	if err != nil {
		return 0, false, fmt.Errorf("find deleted feed items to forget: %w", err)
	}
	defer rows.Close()
	var keys []deletedRow
	for rows.Next() {
		var r deletedRow
		if err := rows.Scan(&r.listID, &r.itemID, &r.feedURL); err != nil {
			return 0, false, fmt.Errorf("find deleted feed items to forget: %w", err)
		}
		keys = append(keys, r)
	}
	if err := rows.Err(); err != nil {
		return 0, false, fmt.Errorf("find deleted feed items to forget: %w", err)
	}
	rows.Close()
	if len(keys) == 0 {
		return 0, false, nil
	}
	each := make([][]any, len(keys))
	for i, r := range keys {
		each[i] = []any{cutoff, r.listID, r.itemID, r.feedURL}
	}
	forgot, err := f.deleteEach(ctx, `DELETE `+forgettableDeleted+` AND d.list_id = ? AND d.item_id = ? AND d.feed_url = ?`, each)
	if err != nil {
		return 0, false, fmt.Errorf("forget deleted feed items: %w", err)
	}
	return forgot, len(keys) == forgetBatch, nil
}
