package subscribers

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/queue"
)

// sortLists sorts a row's lists for stored reader ex: those to join,
// those the reader left, and those a mail asks them to confirm already
// (waiting), which an import that does not vouch for consent does not
// ask again while that mail's link works.
func (ex *existing) sortLists(lists []int64, vouched bool) (join, left, waiting []int64) {
	for _, id := range lists {
		_, gone := ex.left[id]
		switch {
		case gone:
			// A list the reader left is theirs to rejoin: the file may be
			// older than their choice, and addSubscriptions would revive it.
			left = append(left, id)
		case ex.lists[id]:
		case !vouched && slices.Contains(ex.asked, id):
			waiting = append(waiting, id)
		default:
			join = append(join, id)
		}
	}
	return join, left, waiting
}

// unchanged says why a row changes nothing about stored reader ex.
func (imp *importer) unchanged(kept string, left, waiting []int64, ex *existing) string {
	var why []string
	if kept != "" {
		why = append(why, kept)
	}
	if len(left) > 0 {
		why = append(why, "left "+imp.leftList(left, ex)+"; an import does not sign them up again")
	}
	if len(waiting) > 0 {
		why = append(why, "asked already to confirm "+imp.listNames(waiting)+"; they join when they click the link mailed to them")
	}
	if len(why) == 0 {
		why = append(why, "already on the list")
	}
	return strings.Join(why, "; ")
}

// joinOrAsk puts stored reader ex on the lists join. When the import
// vouches for their consent they join at once. Otherwise, as for a
// signup, a list joins only when the reader clicks a mail that names it:
// a pending reader gets it as a pending subscription, which their click
// makes active with the rest, and a confirmed one as their signup request
// (askLists); either way a new confirmation mail names every list waiting
// for the click. The link of the mail before it then no longer works
// (ConfirmLink), as it named fewer lists.
//
// The mail goes even within ConfirmInterval of the last one: that bound
// keeps anyone who types an address into the form from mailing it again
// and again, and an import is the publisher's own act. What the bound
// also guards, that a link confirms only what its mail showed, the stale
// link does.
func (imp *importer) joinOrAsk(ctx context.Context, tx *sql.Tx, ex *existing, join []int64, vouched bool, now time.Time) error {
	switch {
	case len(join) == 0:
		return nil
	case vouched:
		return addSubscriptions(ctx, tx, ex.id, join, SubActive, now)
	case ex.status == StatusPending:
		if err := addSubscriptions(ctx, tx, ex.id, join, SubPending, now); err != nil {
			return err
		}
	default:
		if err := askLists(ctx, tx, ex, join, now); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET confirm_sent_at = ?, confirm_queued = 1 WHERE id = ?`,
		now, ex.id); err != nil {
		return fmt.Errorf("update subscriber: %w", err)
	}
	imp.confirms = append(imp.confirms, queue.ConfirmItem{ID: ex.id, SentAt: now.UnixMicro()})
	imp.rep.Asked++
	return nil
}

// askLists makes lists, with those of a request whose link still works
// (ex.asked), the signup request of confirmed reader ex, which their
// click applies (applyRequest). A request of the reader's own keeps its
// name and attributes, as long as its link works: the import sets those
// itself, and asks only for lists.
func askLists(ctx context.Context, tx *sql.Tx, ex *existing, lists []int64, now time.Time) error {
	all := slices.Concat(ex.asked, lists)
	slices.Sort(all)
	live := now.Add(-ConfirmTTL)
	_, err := tx.ExecContext(ctx, `INSERT INTO signup_requests (subscriber_id, name, lists, attributes, requested_at)
		VALUES (?, '', ?, '{}', ?)
		ON CONFLICT (subscriber_id) DO UPDATE SET lists = excluded.lists, requested_at = excluded.requested_at,
			name = CASE WHEN signup_requests.requested_at > ? THEN signup_requests.name ELSE '' END,
			attributes = CASE WHEN signup_requests.requested_at > ? THEN signup_requests.attributes ELSE '{}' END`,
		ex.id, idsJSON(slices.Compact(all)), now, live, live)
	if err != nil {
		return fmt.Errorf("save signup request: %w", err)
	}
	return nil
}

// dropSuppressed takes the confirmations to suppressed addresses off the
// batch's: the Confirmer mails them nothing (awaitingMail), so the report
// counts them apart rather than as mails that go.
func (imp *importer) dropSuppressed(ctx context.Context, tx *sql.Tx) error {
	if len(imp.confirms) == 0 {
		return nil
	}
	ids := make([]int64, len(imp.confirms))
	for i, it := range imp.confirms {
		ids[i] = it.ID
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM subscribers WHERE id IN (SELECT value FROM json_each(?)) AND `+
		events.SuppressedSQL, idsJSON(ids))
	if err != nil {
		return fmt.Errorf("look up suppressions: %w", err)
	}
	defer rows.Close()
	gone := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("look up suppressions: %w", err)
		}
		gone[id] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("look up suppressions: %w", err)
	}
	imp.confirms = slices.DeleteFunc(imp.confirms, func(it queue.ConfirmItem) bool { return gone[it.ID] })
	imp.rep.Suppressed += len(gone)
	return nil
}
