package articles

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
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
	link = NormalizeURL(strings.TrimSpace(link))
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
// without one, or with one another item of the feed has too. A guid
// names one item; a feed that gives several the same (its own URL, "1")
// does not make them one article, and they are known by their links.
func itemGUIDs(items []*gofeed.Item) []string {
	guids := make([]string, len(items))
	count := map[string]int{}
	for i, it := range items {
		guids[i] = strings.TrimSpace(it.GUID)
		count[guids[i]]++
	}
	for i, g := range guids {
		if count[g] > 1 {
			guids[i] = ""
		}
	}
	return guids
}

// saveItem saves a, the article of the item key of feed feedID, as Save
// does, with one difference: an item the feed brought before is its
// article again, whatever its link now, and an item whose article was
// deleted since is not stored at all. The link of an article found by
// its item's guid follows the feed, unless an editor has changed the
// article (Save) or the new link is another article's. It reports
// whether the article is new.
func (s *Store) saveItem(ctx context.Context, feedID int64, key itemKey, a *Article, oldNews bool) (created bool, err error) {
	p := feedPatch(a, oldNews)
	var stored *Article
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		id, known, err := knownItem(ctx, tx, feedID, key)
		switch {
		case err != nil:
			return err
		case known && id == 0:
			return nil
		case known:
			stored, err = putKnown(ctx, tx, id, p, key.byGUID())
			return err
		}
		if stored, created, err = putTx(ctx, tx, p); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO feed_items (feed_id, item_id, article_id) VALUES (?, ?, ?)`,
			feedID, key.id, stored.ID); err != nil {
			return fmt.Errorf("remember feed item: %w", err)
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	if stored != nil {
		*a = *stored
	}
	return created, nil
}

// knownItem looks key up among the items feed feedID brought: known
// reports whether it brought it before, and id is its article, 0 when
// that was deleted. Before guids were kept (migration 067) every item was
// known by its link: an item with a guid not known by it is looked up by
// its link, and is known by its guid from then on.
func knownItem(ctx context.Context, tx *sql.Tx, feedID int64, key itemKey) (id int64, known bool, err error) {
	var article sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT article_id FROM feed_items WHERE feed_id = ? AND item_id = ?`, feedID, key.id).Scan(&article)
	if errors.Is(err, sql.ErrNoRows) && key.byGUID() {
		err = tx.QueryRowContext(ctx, `UPDATE feed_items SET item_id = ? WHERE feed_id = ? AND item_id = ? RETURNING article_id`,
			key.id, feedID, key.link).Scan(&article)
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, fmt.Errorf("find feed item: %w", err)
	}
	return article.Int64, true, nil
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
		q = Patch{Lists: p.Lists, oldNews: p.oldNews}
	case !moveURL:
		q.URL = nil
	default:
		var other int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM articles WHERE url = ? AND id != ?`, NormalizeURL(strings.TrimSpace(*p.URL)), id).Scan(&other)
		if err == nil {
			q.URL = nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("find article: %w", err)
		}
	}
	return writePatch(ctx, tx, id, &q)
}
