package subscribers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A List is a mailing list readers can join. Its digest goes out at
// DigestHour in Timezone (an IANA name), weekly ones on DigestWeekday.
// From and ReplyTo, when set, stand in for the publication's; Welcome is
// the Markdown of a mail to each reader who joins, or empty. Tracking is
// how its campaigns' links are tracked (SPEC §7): off, anonymous (counted,
// never tied to a reader) or on; Opens adds an open pixel.
type List struct {
	ID            int64     `json:"id"`
	Slug          string    `json:"slug"`
	Name          string    `json:"name"`
	Description   string    `json:"description"`
	Public        bool      `json:"public"`
	Digest        string    `json:"digest"` // daily, weekly or off
	DigestHour    int       `json:"digest_hour"`
	DigestWeekday string    `json:"digest_weekday"` // monday … sunday
	Timezone      string    `json:"timezone"`
	From          string    `json:"from"`
	ReplyTo       string    `json:"reply_to"`
	Welcome       string    `json:"welcome"`
	Tracking      string    `json:"tracking"` // off, anonymous or on
	Opens         bool      `json:"opens"`
	CreatedAt     time.Time `json:"created_at"`
}

// A Store keeps subscribers, lists and subscriptions in SQLite.
type Store struct {
	db       *sqlite.DB
	eraseKey []byte
	lists    listCache
	gone     GoneRecorder
	welcomes queue.Enqueuer                            // see SetWelcomeQueue
	erased   func(ctx context.Context, addrs []string) // see SetEraseHook
}

// NewStore returns a Store on db.
func NewStore(db *sqlite.DB) *Store { return &Store{db: db} }

// CreateList stores a new list; a taken slug is a conflict. A welcome
// text that fails one of checks is refused as a bad "welcome" field. A
// list refused for its fields is refused for a taken slug too, as a bad
// "slug" field (withSlugTaken).
func (s *Store) CreateList(ctx context.Context, l *List, checks ...WelcomeCheck) error {
	if err := l.validate(checks, "", ""); err != nil {
		return withSlugTaken(ctx, s.db.Read, err, l.Slug, 0)
	}
	l.CreatedAt = sqlite.Now()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO lists (slug, name, description, public, digest, digest_hour,
			digest_weekday, timezone, from_address, reply_to, welcome, tracking, opens, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (slug) DO NOTHING`,
			l.Slug, l.Name, l.Description, l.Public, l.Digest, l.DigestHour,
			l.DigestWeekday, l.Timezone, l.From, l.ReplyTo, l.Welcome, l.Tracking, l.Opens, l.CreatedAt)
		if err != nil {
			return fmt.Errorf("create list: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return bulletin.Errorf(bulletin.ECONFLICT, "A list with the slug %q exists already.", l.Slug)
		}
		l.ID, err = res.LastInsertId()
		s.lists.invalidate()
		return err
	})
}

// withSlugTaken is err, the fields of list id refused (0 for a new list),
// with a "slug" field added when another list has slug and the slug has
// no fault of its own: a form then names every fault in one round, where
// the conflict alone came only once the others were fixed. A slug taken
// by a list that has no other fault stays the conflict that it is.
func withSlugTaken(ctx context.Context, q sqlite.Querier, err error, slug string, id int64) error {
	fields := bulletin.ErrorFields(err)
	if fields == nil || fields["slug"] != "" {
		return err
	}
	var taken bool
	if qerr := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM lists WHERE slug = ? AND id <> ?)`, slug, id).Scan(&taken); qerr != nil {
		return fmt.Errorf("check the list's slug: %w", qerr)
	}
	if !taken {
		return err
	}
	fields = maps.Clone(fields)
	fields["slug"] = SlugTaken
	return bulletin.Invalid(fields)
}

// SlugTaken is the "slug" field's error of a list whose slug another list
// has, when the list has other faults too.
const SlugTaken = "another list has this slug: choose another"

// EnsureList creates l unless a list with its slug exists; either way l ends
// up holding the stored list. It reports whether it created one.
func (s *Store) EnsureList(ctx context.Context, l *List) (bool, error) {
	err := s.CreateList(ctx, l)
	if bulletin.ErrorCode(err) != bulletin.ECONFLICT {
		return err == nil, err
	}
	got, err := s.ListBySlug(ctx, l.Slug)
	if err != nil {
		return false, err
	}
	*l = *got
	return false, nil
}

// Lists returns every list, ordered by id.
func (s *Store) Lists(ctx context.Context) ([]*List, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+listColumns+`
		FROM lists ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("lists: %w", err)
	}
	defer rows.Close()
	var out []*List
	for rows.Next() {
		l, err := scanList(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// ListBySlug returns one list, or a not-found error. It compares slug
// as stored, as the filters on a list's slug do; FindList reads a slug as
// a person types it.
func (s *Store) ListBySlug(ctx context.Context, slug string) (*List, error) {
	row := s.db.Read.QueryRowContext(ctx, `SELECT `+listColumns+`
		FROM lists WHERE slug = ?`, slug)
	l, err := scanList(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, bulletin.Errorf(bulletin.ENOTFOUND, "There is no list %q.", slug)
	}
	return l, err
}

// FindList returns the list slug names as a person types it, on the
// command line or in a file: in any case, with spaces around it
// (SlugKey), as Import reads a slug. "DAILY-NEWS" is daily-news. The
// list's Slug is as stored, for the queries that compare slugs as they
// are. A slug that names no list is a not-found error quoting it as typed.
func (s *Store) FindList(ctx context.Context, slug string) (*List, error) {
	l, err := s.ListBySlug(ctx, SlugKey(slug)) // lower case, as List.Validate makes every slug
	if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
		return nil, bulletin.Errorf(bulletin.ENOTFOUND, "There is no list %q.", slug)
	}
	return l, err
}

// listColumns are the columns scanList reads, in its order.
const listColumns = `id, slug, name, description, public, digest, digest_hour, digest_weekday, timezone, from_address, reply_to, welcome, tracking, opens, created_at`

type scanner interface{ Scan(dest ...any) error }

func scanList(r scanner) (*List, error) {
	var l List
	if err := r.Scan(&l.ID, &l.Slug, &l.Name, &l.Description, &l.Public, &l.Digest, &l.DigestHour,
		&l.DigestWeekday, &l.Timezone, &l.From, &l.ReplyTo, &l.Welcome, &l.Tracking, &l.Opens, &l.CreatedAt); err != nil {
		return nil, err
	}
	return &l, nil
}
