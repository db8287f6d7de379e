package campaigns

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/subscribers"
)

// unknownLists is the "lists" fault naming every one of slugs that names
// no list, or "" when all do. A slug names its list in any case
// (subscribers.SlugKey), as the subscriber and signup endpoints read it:
// "Daily-News" is daily-news. It is asked before a save, beside the other
// fields' checks, so that one answer names every fault; insertLists still
// refuses a list deleted meanwhile.
func unknownLists(ctx context.Context, q sqlite.Querier, slugs []string) (string, error) {
	if len(slugs) == 0 {
		return "", nil
	}
	stored, err := sqlite.Column[string](q.QueryContext(ctx, `SELECT slug FROM lists`))
	if err != nil {
		return "", fmt.Errorf("campaign lists: %w", err)
	}
	known := make(map[string]bool, len(stored))
	for _, slug := range stored {
		known[subscribers.SlugKey(slug)] = true
	}
	var unknown, keys []string // "Nope" and "nope" are named once
	for _, slug := range slugs {
		k := subscribers.SlugKey(slug)
		if known[k] || slices.Contains(keys, k) {
			continue
		}
		keys = append(keys, k)
		unknown = append(unknown, quotedSlug(slug))
	}
	if len(unknown) == 0 {
		return "", nil
	}
	return subscribers.NoLists(unknown), nil
}

// withListFault is err, a validation error or nil, with the "lists"
// fault why added; err as it is when why is "".
func withListFault(err error, why string) error {
	if why == "" {
		return err
	}
	fields := maps.Clone(bulletin.ErrorFields(err))
	if fields == nil {
		fields = map[string]string{}
	}
	if fields["lists"] == "" { // "choose at least one list" names none
		fields["lists"] = why
	}
	return bulletin.Invalid(fields)
}

// insertLists links c to its lists, each once, refusing unknown slugs. A
// slug names its list in any case, as unknownLists reads it. The campaign
// keeps the list, and so reads back the list's own slug. The lists keep
// the order c gives them (position, listOrder), a slug given twice its
// first place: a reader on several of them gets the mail of the first.
func insertLists(ctx context.Context, tx *sql.Tx, c *Campaign) error {
	seen := map[string]bool{}
	for _, slug := range c.Lists {
		k := subscribers.SlugKey(slug)
		if seen[k] {
			continue
		}
		seen[k] = true
		res, err := tx.ExecContext(ctx, `INSERT INTO campaign_lists (campaign_id, list_id, position)
			SELECT ?, id, ? FROM lists WHERE slug = ?`, c.ID, len(seen)-1, k)
		if err != nil {
			return fmt.Errorf("link campaign list: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return bulletin.Invalid(map[string]string{"lists": subscribers.NoLists([]string{quotedSlug(slug)})})
		}
	}
	return nil
}

// listOrder orders a campaign's lists (campaign_lists cl) as they were
// given: by position, then by list id. A campaign stored before lists kept
// their order was given positions in the order of the lists' ids
// (migration 092), as it was read then; a digest's one list has position
// 0.
const listOrder = `cl.position, cl.list_id`

// quotedSlug is slug quoted as a fault names it, cut to 64 runes as the
// subscriber endpoints cut it: a slug is at most 64 bytes.
func quotedSlug(slug string) string {
	if r := []rune(slug); len(r) > 64 {
		slug = string(r[:64]) + "…"
	}
	return strconv.Quote(slug)
}
