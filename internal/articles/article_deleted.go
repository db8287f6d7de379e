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
	url = NormalizeURL(url)
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
