package articles

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// errDeletedURL is the answer to a post of the URL of an article an
// editor deleted: a CMS posts an article again at every save, and storing
// it anew undid the delete and mailed the story a second time.
var errDeletedURL = &bulletin.Error{Code: bulletin.ECONFLICT,
	Message: "An editor deleted the article at this URL: nothing was saved.",
	Fields: map[string]string{"url": "an editor deleted the article at this URL, and a post does not bring it back; " +
		"an editor can, by adding it again with the admin's New article form (Articles, New article)"}}

// keepsDeleted reports whether a save of p by its URL leaves an article
// an editor deleted deleted: a post from outside (the API's) does. A
// feed's poll reads the same record itself, by its items' ids too
// (seenDeleted); an editor's new article (Create) brings one back on
// purpose, and the seeds save through Create and Save.
func (p *Patch) keepsDeleted() bool { return !p.fromFeed && !p.onlyNew }

// offeredDeleted reports whether url, which no article has, is the URL
// of an article deleted from one of the lists: their record of deleted
// URLs (deleted_feed_items, the rows of no feed), which a feed's poll
// reads too. A post of it is the story offered again, as a feed listing
// it is: the rows' month (DeletedItemMemory) starts again, so a CMS
// posting the URL at every save keeps it deleted.
func offeredDeleted(ctx context.Context, tx *sql.Tx, url string) (bool, error) {
	url = ArticleURL(url)
	// By list, so that each list's row is found by its key.
	res, err := tx.ExecContext(ctx, `UPDATE deleted_feed_items SET seen_at = ?
		WHERE list_id IN (SELECT id FROM lists) AND item_id = ? AND feed_url = ''
			AND NOT EXISTS (SELECT 1 FROM articles WHERE url = ?)`, sqlite.Now(), url, url)
	if err != nil {
		return false, fmt.Errorf("find deleted article: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// rememberListless records the delete of article id when it is on no
// list, as the trigger of migration 068 (as 090 left it) records the
// delete of one on lists: a row of no feed for its URL, in every list,
// seen now. The trigger makes rows by the article's lists only, so the
// delete of an article on none (posted without lists, or taken off them
// all) was forgotten, and a CMS posting the URL again at its next save
// stored the story anew. Deleted from every list it could be on, it stays
// deleted for each, for a post and for any list's feed, until an editor
// adds it again (Create). With no list at all there is nothing to record
// it by.
func rememberListless(ctx context.Context, tx *sql.Tx, id int64) error {
	// The SELECT of an upsert has its WHERE, which SQLite asks for to
	// tell the upsert's ON from a join's.
	_, err := tx.ExecContext(ctx, `INSERT INTO deleted_feed_items (list_id, item_id, feed_url, link, title, seen_at)
		SELECT l.id, a.url, '', a.url, a.title, ? FROM articles a CROSS JOIN lists l
		WHERE a.id = ? AND NOT EXISTS (SELECT 1 FROM article_lists al WHERE al.article_id = a.id)
		ON CONFLICT (list_id, item_id, feed_url) DO UPDATE SET link = excluded.link, title = excluded.title, seen_at = excluded.seen_at`,
		sqlite.Now(), id)
	if err != nil {
		return fmt.Errorf("remember deleted article: %w", err)
	}
	return nil
}

// forgetDeletedURL forgets that url, the URL of an article an editor has
// just added (Create), was deleted: every list's rows of it, by the URL
// (the article's own, and a feed's item known by its link) and by the
// link a feed's guid was seen with. Create brought the article back for
// a post, but a feed still took its item for the deleted one and left it
// out, the restored article on none of the feed's lists. A guid's row of
// an article an editor had changed knows no link (migration 070) and
// stays: nothing ties it to the URL.
func forgetDeletedURL(ctx context.Context, tx *sql.Tx, url string) error {
	url = ArticleURL(url)
	if _, err := tx.ExecContext(ctx, `DELETE FROM deleted_feed_items WHERE item_id = ? OR link = ?`, url, url); err != nil {
		return fmt.Errorf("forget deleted article: %w", err)
	}
	return nil
}
