package subscribers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// A Cursor is a place in Newest's order: a subscriber's id and when they
// joined, created_at as stored (times are stored to compare as text).
type Cursor struct {
	ID int64
	// At is looked up by ID when empty.
	At string
}

// A NewestPage is a page of Newest's: subscribers newest first, with how
// many the filter selects in all and the cursors of the pages beside it.
type NewestPage struct {
	Items []*Subscriber
	// Total is how many subscribers the filter selects, on every page.
	Total int
	// Older is the before of the next page (older readers), Newer the
	// after of the page before it (newer readers); nil when there is none.
	Older, Newer *Cursor
}

// Newest returns a page of the subscribers f selects (its Q, List, Status
// and Limit; not After), newest first: by when they joined, then by id, a
// total order, so a reader is on exactly one page however the pages are
// walked. The page is the first when neither cursor is set (ID 0), else
// the one just newer than after, or else older than before. A page newer
// than after that would be short is the first page instead, so the way
// back ends on the first page as it is. The count and the page are read
// in one transaction and agree.
func (s *Store) Newest(ctx context.Context, f Filter, before, after Cursor) (*NewestPage, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Status != "" && !validStatus(f.Status) {
		return nil, bulletin.Invalid(map[string]string{"status": "use pending, confirmed, unsubscribed or bounced"})
	}
	tx, err := s.db.Read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("newest subscribers: %w", err)
	}
	defer tx.Rollback()
	if before, err = placed(ctx, tx, before); err == nil {
		after, err = placed(ctx, tx, after)
	}
	if err != nil {
		return nil, fmt.Errorf("newest subscribers: %w", err)
	}
	n := newest{tx: tx, limit: f.Limit}
	n.where, n.args = f.conditions()
	p, err := n.page(ctx, before, after)
	if err != nil {
		return nil, fmt.Errorf("newest subscribers: %w", err)
	}
	return p, nil
}

// placed is c with its At looked up when it has only an ID; no cursor
// (ID 0) when there is no such subscriber.
func placed(ctx context.Context, tx *sql.Tx, c Cursor) (Cursor, error) {
	if c.ID <= 0 || c.At != "" {
		return c, nil
	}
	err := tx.QueryRowContext(ctx, `SELECT CAST(created_at AS TEXT) FROM subscribers WHERE id = ?`, c.ID).Scan(&c.At)
	if errors.Is(err, sql.ErrNoRows) {
		return Cursor{}, nil
	}
	return c, err
}

// The order's conditions: a subscriber older, or newer, than a cursor
// (its At, then its ID). Row values, so that SQLite searches the index
// from the cursor on rather than walking it from an end.
const (
	olderThan = `(created_at, id) < (?, ?)`
	newerThan = `(created_at, id) > (?, ?)`
)

// newest reads the pages of one filter, its conditions where with args.
type newest struct {
	tx    *sql.Tx
	where []string
	args  []any
	limit int
}

func (n *newest) page(ctx context.Context, before, after Cursor) (*NewestPage, error) {
	p := &NewestPage{}
	if err := n.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM subscribers`+whereAll(n.where), n.args...).Scan(&p.Total); err != nil {
		return nil, err
	}
	if after.ID > 0 {
		items, cursors, err := n.read(ctx, newerThan, &after, `created_at, id`)
		if err != nil {
			return nil, err
		}
		if len(items) > n.limit {
			p.Items, cursors = items[:n.limit], cursors[:n.limit]
			slices.Reverse(p.Items)
			slices.Reverse(cursors)
			p.Newer = &cursors[0]
			p.Older, err = n.beyond(ctx, olderThan, cursors[len(cursors)-1])
			return p, err
		}
		before = Cursor{} // within a page of the newest: the first page
	}
	cond, c := ``, (*Cursor)(nil)
	if before.ID > 0 {
		cond, c = olderThan, &before
	}
	items, cursors, err := n.read(ctx, cond, c, `created_at DESC, id DESC`)
	if err != nil {
		return nil, err
	}
	if len(items) > n.limit {
		items, cursors = items[:n.limit], cursors[:n.limit]
		p.Older = &cursors[n.limit-1]
	}
	p.Items = items
	if before.ID > 0 {
		// Newer than the first shown, or on an empty page, than the one
		// just after before (ids are whole): before's reader included.
		top := Cursor{ID: before.ID - 1, At: before.At}
		if len(cursors) > 0 {
			top = cursors[0]
		}
		if p.Newer, err = n.beyond(ctx, newerThan, top); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// read returns at most limit+1 subscribers meeting the filter and, when
// it is not empty, cond against c, in order, with their cursors.
func (n *newest) read(ctx context.Context, cond string, c *Cursor, order string) ([]*Subscriber, []Cursor, error) {
	where, args := n.where, slices.Clone(n.args)
	if cond != "" {
		where = append(slices.Clone(where), cond)
		args = append(args, c.At, c.ID)
	}
	rows, err := n.tx.QueryContext(ctx, newestSQL(where, order), append(args, n.limit+1)...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var (
		subs    []*Subscriber
		cursors []Cursor
	)
	for rows.Next() {
		var at string
		sub, err := scanSubscriber(withAt{rows, &at})
		if err != nil {
			return nil, nil, err
		}
		subs, cursors = append(subs, sub), append(cursors, Cursor{ID: sub.ID, At: at})
	}
	return subs, cursors, rows.Err()
}

// newestSQL reads subscribers meeting where, in order, with created_at
// as text last, up to a LIMIT given as its last argument. The page's ids
// are chosen first and its columns read after, for them alone: a column
// is a subquery (the reader's lists), which a sort would run for every
// reader it orders. With no filter, or with a status, the ids come from
// an index in order (subscribers_created, subscribers_status_created)
// from the cursor on, without a sort.
func newestSQL(where []string, order string) string {
	return `SELECT ` + subscriberColumns + `, CAST(created_at AS TEXT) FROM subscribers WHERE id IN (` +
		newestIDsSQL(where, order) + `) ORDER BY ` + order
}

// newestIDsSQL chooses the ids of newestSQL's page.
func newestIDsSQL(where []string, order string) string {
	return `SELECT id FROM subscribers` + whereAll(where) + ` ORDER BY ` + order + ` LIMIT ?`
}

// withAt scans a row of subscriberColumns followed by created_at as text.
type withAt struct {
	rows *sql.Rows
	at   *string
}

func (w withAt) Scan(dest ...any) error { return w.rows.Scan(append(dest, w.at)...) }

// beyond returns c when a subscriber meets the filter and cond against
// c, else nil.
func (n *newest) beyond(ctx context.Context, cond string, c Cursor) (*Cursor, error) {
	where := append(slices.Clone(n.where), cond)
	var found bool
	err := n.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM subscribers`+whereAll(where)+`)`,
		append(slices.Clone(n.args), c.At, c.ID)...).Scan(&found)
	if err != nil || !found {
		return nil, err
	}
	return &c, nil
}

// whereAll is the WHERE clause of conditions all met, or none.
func whereAll(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return ` WHERE ` + strings.Join(conds, " AND ")
}
