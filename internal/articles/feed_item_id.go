package articles

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mmcdole/gofeed"
)

// An itemKey is what a feed's item is known by from one poll to the next
// (feed_items, migration 067).
type itemKey struct {
	// id is the item's guid (RSS), id (Atom, JSON Feed), or its link
	// when it has none.
	id string
	// link is the item's link, as articles store URLs.
	link string
}

// byGUID reports whether the item is known by a guid rather than its link.
func (k itemKey) byGUID() bool { return k.id != k.link }

// maxGUIDBytes is the longest guid kept as it is; a longer one is kept
// as its SHA-256, as a feed may say anything there.
const maxGUIDBytes = 500

// newItemKey is the key of an item with guid ("" for none) and link.
func newItemKey(guid, link string) itemKey {
	link = ArticleURL(strings.TrimSpace(link))
	if guid == "" {
		return itemKey{id: link, link: link}
	}
	if len(guid) > maxGUIDBytes {
		sum := sha256.Sum256([]byte(guid))
		guid = "sha256:" + hex.EncodeToString(sum[:])
	}
	return itemKey{id: guid, link: link}
}

// itemGUIDs returns the guid of each item, in order: "" for an item
// without one, with one another item of the feed has too, or with one
// that is a URL of notIDs (the feed's own, its site's). A guid names one
// item; a feed that gives several the same (its own URL, "1") does not
// make them one article, and they are known by their links. A feed's or
// its site's URL names no item from one poll to the next either: a
// one-item feed of the latest issue gives it to each issue in turn.
func itemGUIDs(items []*gofeed.Item, notIDs ...string) []string {
	guids := make([]string, len(items))
	count := map[string]int{}
	for i, it := range items {
		guids[i] = strings.TrimSpace(it.GUID)
		count[guids[i]]++
	}
	for i, g := range guids {
		if count[g] > 1 || slices.ContainsFunc(notIDs, func(u string) bool { return sameURL(g, u) }) {
			guids[i] = ""
		}
	}
	return guids
}

// sameURL reports whether a and b are one URL, as articles compare them,
// with or without a slash at the end: https://news.example and
// https://news.example/ are one site.
func sameURL(a, b string) bool {
	norm := func(u string) string { return strings.TrimSuffix(ArticleURL(strings.TrimSpace(u)), "/") }
	return a != "" && b != "" && norm(a) == norm(b)
}

// saveItem saves a, the article of the item key of the feed fp polls,
// as Save does, with these differences. An item the feed brought before
// is its article again, whatever its link now, unless it is another
// story under a guid the feed gave an earlier one (see sameItem): that
// one is saved by its link, as an item the feed does not know, and the
// guid names its article from then on. An item that is a deleted article
// of the feed's list (seenDeleted: the feed's own, another feed's, the
// feed deleted and added again) is not stored at all; a guid of one that
// the feed now gives another story names that story. The link of an
// article found by its item's guid follows the feed, unless an editor has
// changed the article (Save) or the new link is another article's. An
// item the feed does not know that may be one it forgot (mayBeForgotten)
// is not stored either: saveItem returns errLongGone for it. It reports
// whether the save put the article on the feed's list: a new article, or
// one stored before (another list's feed brought it, an editor added it)
// that was not on the list. That is what a feed's items count: an item
// already stored used to count for nothing, so the same feed added to a
// second list showed no items, though it had put them all on that list
// (and its digest mailed them).
func (s *Store) saveItem(ctx context.Context, fp feedPoll, key itemKey, a *Article, oldNews bool) (joined bool, err error) {
	p := feedPatch(a, oldNews)
	var stored *Article
	gone := false
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		// Every link of an article to a list made counts up the link
		// counter (migration 061), and a feed's save names only its
		// list: the counter moves when, and only when, the save put the
		// article on it, whichever way the save went.
		before, err := linkCount(ctx, tx)
		if err != nil {
			return err
		}
		if stored, err = putItem(ctx, tx, fp, key, a.Title, p); errors.Is(err, errLongGone) {
			// What the poll saw of the feed's items is kept.
			gone = true
			return nil
		} else if err != nil {
			return err
		}
		after, err := linkCount(ctx, tx)
		joined = after > before
		return err
	})
	switch {
	case err != nil:
		return false, err
	case gone:
		return false, errLongGone
	}
	if stored != nil {
		*a = *stored
	}
	return joined, nil
}

// putItem is saveItem in tx, for p, the article of the item of key with
// title. It returns the article as stored, nil when none was.
func putItem(ctx context.Context, tx *sql.Tx, fp feedPoll, key itemKey, title string, p *Patch) (*Article, error) {
	undated := p.PublishedAt == nil // the feed gives the item no date
	id, err := knownItem(ctx, tx, fp, key, undated)
	if err != nil {
		return nil, err
	}
	same := id != 0
	if same && key.byGUID() {
		if same, err = sameItem(ctx, tx, id, key, title); err != nil {
			return nil, err
		}
	}
	if same {
		return putKnown(ctx, tx, id, p, key.byGUID())
	}
	return putNewItem(ctx, tx, fp, key, title, p, id != 0)
}

// linkCount is the link counter: how many links of articles to lists
// were ever made.
func linkCount(ctx context.Context, tx *sql.Tx) (int64, error) {
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT value FROM article_link_counter`).Scan(&n); err != nil {
		return 0, fmt.Errorf("read link counter: %w", err)
	}
	return n, nil
}

// putNewItem saves p, the article of an item with title that the feed
// fp polls does not know by key (or knows as deleted), or (reused) one
// under a guid the feed gave another story before, and makes key's id
// name it. An item that is a deleted article of the list is not stored,
// and its id names a deleted item; a reused guid keeps naming the article
// of the story the feed gave it before. Nor is an item that may be one
// the feed or its list forgot (mayBeForgotten): that is errLongGone. An
// item another feed brought as an article an editor has changed is that
// article (editedElsewhere). stored is nil when nothing was stored.
func putNewItem(ctx context.Context, tx *sql.Tx, fp feedPoll, key itemKey, title string, p *Patch, reused bool) (stored *Article, err error) {
	undated := p.PublishedAt == nil // the feed gives the item no date
	deleted, err := seenDeleted(ctx, tx, fp, key, title)
	switch {
	case err != nil:
		return nil, err
	case deleted && reused:
		return nil, nil
	case deleted:
		return nil, rememberItem(ctx, tx, fp, key.id, 0, undated)
	case fp.mayBeForgotten(p.PublishedAt):
		return nil, errLongGone
	}
	edited, err := editedElsewhere(ctx, tx, fp, key, !reused)
	switch {
	case err != nil:
		return nil, err
	case edited != 0:
		stored, err = putKnown(ctx, tx, edited, p, false)
	default:
		stored, _, err = putTx(ctx, tx, p)
	}
	if err != nil {
		return nil, err
	}
	return stored, rememberItem(ctx, tx, fp, key.id, stored.ID, undated)
}

// editedElsewhere returns the article an editor has changed that another
// feed brought as the item of key, when no article has key's link (0 for
// none): found by its link, which names one article whichever feed gives
// it, or, with byGUID, by its guid when that names one item whichever
// feed gives it (globalID). An editor who fixed the article's link gave it
// a URL no feed gives: found by its URL, a feed that first sees the item
// then (a feed added since, one of another list) would store the item
// again, a second article with the feed's link and title, and mail it.
func editedElsewhere(ctx context.Context, tx *sql.Tx, fp feedPoll, key itemKey, byGUID bool) (int64, error) {
	guid := key.link
	if byGUID && key.byGUID() && globalID(key.id) {
		guid = key.id
	}
	// CROSS JOIN keeps the feeds outermost: each feed's rows are found by
	// their key, not by reading every feed's.
	var id sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT MIN(fi.article_id) FROM feeds f
		CROSS JOIN feed_items fi CROSS JOIN articles a
		WHERE f.id != ? AND fi.feed_id = f.id AND fi.item_id IN (?, ?) AND a.id = fi.article_id AND a.edited_at IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM articles WHERE url = ?)`, fp.feedID, key.link, guid, key.link).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("find edited article: %w", err)
	}
	return id.Int64, nil
}

// sameItem reports whether an item known by its guid, now with key's
// link and title, is still article id, the guid's. A feed that gives its
// guids out again (positions, "1", "2", "3"; the latest issue's) gives a
// known guid to another story: one whose link and title both differ from
// the article's. A publisher fixing a slug keeps the title, and one
// fixing a title keeps the link. An editor's title is no feed's, so an
// article an editor has changed stays its guid's.
func sameItem(ctx context.Context, tx *sql.Tx, id int64, key itemKey, title string) (bool, error) {
	var url, stored string
	var edited bool
	if err := tx.QueryRowContext(ctx, `SELECT url, title, edited_at IS NOT NULL FROM articles WHERE id = ?`, id).Scan(&url, &stored, &edited); err != nil {
		return false, fmt.Errorf("find article: %w", err)
	}
	return edited || sameStory(url, stored, key, title), nil
}

// sameStory reports whether an item with key's link and title is the
// story of link and title: one of them is the same.
func sameStory(link, title string, key itemKey, itemTitle string) bool {
	return ArticleURL(link) == key.link || strings.EqualFold(title, itemTitle)
}

// rememberItem records that item id of the feed fp polls is article (0
// for one deleted), seen by fp, and whether the feed dates it.
func rememberItem(ctx context.Context, tx *sql.Tx, fp feedPoll, id string, article int64, undated bool) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO feed_items (feed_id, item_id, article_id, seen_at, undated) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (feed_id, item_id) DO UPDATE SET article_id = excluded.article_id, seen_at = excluded.seen_at, undated = excluded.undated`,
		fp.feedID, id, sql.NullInt64{Int64: article, Valid: article != 0}, fp.at, undated)
	if err != nil {
		return fmt.Errorf("remember feed item: %w", err)
	}
	return nil
}

// knownItem looks key up among the items the feed fp polls brought, and
// returns its article: 0 when the feed did not bring it (or forgot it),
// or its article was deleted (seenDeleted tells whether it is still
// deleted). The item's row records that fp saw it, and whether the feed
// dates it (undated): a row the feed's reads keep seeing is never
// forgotten (forgetItems). Before guids were kept (migration 067) every
// item was known by its link: an item with a guid not known by it is
// looked up by its link, and is known by its guid from then on.
func knownItem(ctx context.Context, tx *sql.Tx, fp feedPoll, key itemKey, undated bool) (int64, error) {
	var article sql.NullInt64
	err := tx.QueryRowContext(ctx, `UPDATE feed_items SET seen_at = ?, undated = ? WHERE feed_id = ? AND item_id = ? RETURNING article_id`,
		fp.at, undated, fp.feedID, key.id).Scan(&article)
	if errors.Is(err, sql.ErrNoRows) && key.byGUID() {
		err = tx.QueryRowContext(ctx, `UPDATE feed_items SET item_id = ?, seen_at = ?, undated = ? WHERE feed_id = ? AND item_id = ? RETURNING article_id`,
			key.id, fp.at, undated, fp.feedID, key.link).Scan(&article)
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("find feed item: %w", err)
	}
	return article.Int64, nil
}

// putKnown saves p over article id, a known item's. An article an editor
// has changed only joins p's lists. Otherwise p's link replaces the
// stored one only when moveURL (the item is known by its guid, so a new
// link is the publisher's move) and no other article has it: an item
// known by its link has no other, and an article may not take another's.
func putKnown(ctx context.Context, tx *sql.Tx, id int64, p *Patch, moveURL bool) (*Article, error) {
	var edited bool
	if err := tx.QueryRowContext(ctx, `SELECT edited_at IS NOT NULL FROM articles WHERE id = ?`, id).Scan(&edited); err != nil {
		return nil, fmt.Errorf("find article: %w", err)
	}
	q := *p
	switch {
	case edited:
		q = Patch{Lists: p.Lists, fromFeed: true, oldNews: p.oldNews}
	case !moveURL:
		q.URL = nil
	default:
		var other int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM articles WHERE url = ? AND id != ?`, ArticleURL(strings.TrimSpace(*p.URL)), id).Scan(&other)
		if err == nil {
			q.URL = nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("find article: %w", err)
		}
	}
	return writePatch(ctx, tx, id, &q)
}
