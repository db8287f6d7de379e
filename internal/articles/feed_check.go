package articles

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// Check returns the refusal of fields that Add would answer for a feed
// of rawURL on list, storing and polling nothing, every fault named at
// once where Add stops at the first: an API body some members of which
// the decoder refused is checked so for the rest, and one answer names
// every fault. What only the first poll finds (a web page, a 404) is
// Add's to say.
func (f *Feeds) Check(ctx context.Context, rawURL, list string) error {
	fields := map[string]string{}
	for _, err := range []error{f.checkListGiven(ctx, list), f.checkURLOnly(ctx, rawURL)} {
		if err != nil && bulletin.ErrorCode(err) != bulletin.EINVALID {
			return err
		}
		maps.Copy(fields, bulletin.ErrorFields(err))
	}
	if len(fields) > 0 {
		return bulletin.Invalid(fields)
	}
	return nil
}

// checkListGiven is Add's refusal of list: none given, or none that
// exists.
func (f *Feeds) checkListGiven(ctx context.Context, list string) error {
	if err := noFeedList(list); err != nil {
		return err
	}
	_, err := feedListID(ctx, f.db.Read, list)
	return err
}

// checkURLOnly is checkURL's refusal of raw.
func (f *Feeds) checkURLOnly(ctx context.Context, raw string) error {
	_, _, err := f.checkURL(ctx, raw)
	return err
}

// noFeedList refuses a feed's list left out.
func noFeedList(list string) error {
	if strings.TrimSpace(list) == "" {
		return bulletin.Invalid(map[string]string{"list": "choose the list the feed's items go to"})
	}
	return nil
}

// feedListID is the id of the list a feed's items go to, list its slug
// in any case (listKey), read in q, or the refusal of a list that does
// not exist.
func feedListID(ctx context.Context, q querier, list string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM lists WHERE slug = ?`, listKey(list)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, bulletin.Invalid(map[string]string{"list": fmt.Sprintf("there is no list %q", list)})
	} else if err != nil {
		return 0, fmt.Errorf("find list: %w", err)
	}
	return id, nil
}
