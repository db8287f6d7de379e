package subscribers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A List is a mailing list readers can join.
type List struct {
	ID          int64     `json:"id"`
	Slug        string    `json:"slug"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Public      bool      `json:"public"`
	Digest      string    `json:"digest"` // daily, weekly or off
	DigestHour  int       `json:"digest_hour"`
	CreatedAt   time.Time `json:"created_at"`
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Validate checks l and fills defaults, returning a validation error that
// names each bad field.
func (l *List) Validate() error {
	l.Slug = strings.TrimSpace(l.Slug)
	l.Name = strings.TrimSpace(l.Name)
	if l.Digest == "" {
		l.Digest = "off"
	}
	fields := map[string]string{}
	if !slugRE.MatchString(l.Slug) || len(l.Slug) > 64 {
		fields["slug"] = "use 1–64 lower-case letters, digits and single dashes"
	}
	if l.Name == "" || len([]rune(l.Name)) > 100 {
		fields["name"] = "give a name of 1–100 characters"
	}
	if len([]rune(l.Description)) > 1000 {
		fields["description"] = "keep the description under 1000 characters"
	}
	if l.Digest != "daily" && l.Digest != "weekly" && l.Digest != "off" {
		fields["digest"] = "use daily, weekly or off"
	}
	if l.DigestHour < 0 || l.DigestHour > 23 {
		fields["digest_hour"] = "use an hour from 0 to 23"
	}
	if len(fields) > 0 {
		return bulletin.Invalid(fields)
	}
	return nil
}

// A Store keeps subscribers, lists and subscriptions in SQLite.
type Store struct {
	db       *sqlite.DB
	eraseKey []byte
	lists    listCache
	gone     GoneRecorder
}

// NewStore returns a Store on db.
func NewStore(db *sqlite.DB) *Store { return &Store{db: db} }

// CreateList stores a new list; a taken slug is a conflict.
func (s *Store) CreateList(ctx context.Context, l *List) error {
	if err := l.Validate(); err != nil {
		return err
	}
	l.CreatedAt = sqlite.Now()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO lists (slug, name, description, public, digest, digest_hour, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (slug) DO NOTHING`,
			l.Slug, l.Name, l.Description, l.Public, l.Digest, l.DigestHour, l.CreatedAt)
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
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, slug, name, description, public, digest, digest_hour, created_at
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

// ListBySlug returns one list, or a not-found error.
func (s *Store) ListBySlug(ctx context.Context, slug string) (*List, error) {
	row := s.db.Read.QueryRowContext(ctx, `SELECT id, slug, name, description, public, digest, digest_hour, created_at
		FROM lists WHERE slug = ?`, slug)
	l, err := scanList(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, bulletin.Errorf(bulletin.ENOTFOUND, "There is no list %q.", slug)
	}
	return l, err
}

type scanner interface{ Scan(dest ...any) error }

func scanList(r scanner) (*List, error) {
	var l List
	if err := r.Scan(&l.ID, &l.Slug, &l.Name, &l.Description, &l.Public, &l.Digest, &l.DigestHour, &l.CreatedAt); err != nil {
		return nil, err
	}
	return &l, nil
}
