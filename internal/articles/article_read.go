package articles

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// ErrNotFound is the error for an article id that is not stored.
var ErrNotFound = bulletin.Errorf(bulletin.ENOTFOUND, "There is no such article.")

// articleColumns are what scanArticle reads, of articles a: the lists as
// their slugs in order, joined by commas.
const articleColumns = `a.id, a.url, a.title, a.summary, a.body, a.author, a.image_url, a.image_alt, a.image_width, a.image_height,
	a.published_at,
	COALESCE((SELECT group_concat(l.slug, ',' ORDER BY l.slug) FROM article_lists al JOIN lists l ON l.id = al.list_id
		WHERE al.article_id = a.id), '')`

type scanner interface{ Scan(dest ...any) error }

func scanArticle(r scanner) (*Article, error) {
	var a Article
	var lists string
	if err := r.Scan(&a.ID, &a.URL, &a.Title, &a.Summary, &a.Body, &a.Author, &a.ImageURL, &a.ImageAlt, &a.ImageWidth, &a.ImageHeight,
		&a.PublishedAt, &lists); err != nil {
		return nil, err
	}
	a.PublishedAt = a.PublishedAt.UTC()
	a.Lists = []string{}
	if lists != "" {
		a.Lists = strings.Split(lists, ",")
	}
	return &a, nil
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) query(ctx context.Context, q querier, query string, args ...any) ([]*Article, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	defer rows.Close()
	var out []*Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, fmt.Errorf("scan article: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Get returns article id, or ErrNotFound.
func (s *Store) Get(ctx context.Context, id int64) (*Article, error) {
	return getArticle(ctx, s.db.Read, id)
}

func getArticle(ctx context.Context, q querier, id int64) (*Article, error) {
	a, err := scanArticle(q.QueryRowContext(ctx, `SELECT `+articleColumns+` FROM articles a WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("get article: %w", err)
	}
	return a, nil
}

// Delete removes article id and its list memberships. Digests already
// built keep their copy of it: they store what they sent. Its lists
// remember it as deleted, its URL and the ids its feeds knew it by (the
// trigger of migration 068, whatever code deletes it), so no feed of
// those lists stores it again, one deleted and added again included, nor
// a post of its URL (Put). An article on no list is remembered by every
// list (rememberListless).
func (s *Store) Delete(ctx context.Context, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := rememberListless(ctx, tx, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete article: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
}
