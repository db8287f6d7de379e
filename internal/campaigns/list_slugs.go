package campaigns

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/subscribers"
)

// insertLists links c to its lists, each once, refusing unknown slugs. A
// slug names its list in any case (subscribers.SlugKey), as the
// subscriber and signup endpoints read it: "Daily-News" is daily-news.
// The campaign keeps the list, and so reads back the list's own slug.
func insertLists(ctx context.Context, tx *sql.Tx, c *Campaign) error {
	seen := map[string]bool{}
	for _, slug := range c.Lists {
		k := subscribers.SlugKey(slug)
		if seen[k] {
			continue
		}
		seen[k] = true
		res, err := tx.ExecContext(ctx, `INSERT INTO campaign_lists (campaign_id, list_id)
			SELECT ?, id FROM lists WHERE slug = ?`, c.ID, k)
		if err != nil {
			return fmt.Errorf("link campaign list: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return bulletin.Invalid(map[string]string{"lists": subscribers.NoLists([]string{quotedSlug(slug)})})
		}
	}
	return nil
}

// quotedSlug is slug quoted as a fault names it, cut to 64 runes as the
// subscriber endpoints cut it: a slug is at most 64 bytes.
func quotedSlug(slug string) string {
	if r := []rune(slug); len(r) > 64 {
		slug = string(r[:64]) + "…"
	}
	return strconv.Quote(slug)
}
