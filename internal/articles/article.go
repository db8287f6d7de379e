// Package articles keeps the publisher's articles, the raw material of
// digests, whether they come from the API, a feed or the seeds.
package articles

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// An Article is one story on the publisher's site.
type Article struct {
	ID          int64     `json:"id"`
	Title       string    `json:"title"`
	URL         string    `json:"url"`
	Summary     string    `json:"summary"`
	Body        string    `json:"body"`
	Author      string    `json:"author"`
	PublishedAt time.Time `json:"published_at"`
	Lists       []string  `json:"lists"`
}

// Validate trims a and checks it, naming each bad field.
func (a *Article) Validate() error {
	a.Title = strings.TrimSpace(a.Title)
	a.URL = strings.TrimSpace(a.URL)
	a.Author = strings.TrimSpace(a.Author)
	a.Summary = strings.TrimSpace(a.Summary)
	fields := map[string]string{}
	if a.Title == "" || len([]rune(a.Title)) > 300 {
		fields["title"] = "give a title of 1–300 characters"
	}
	if u, err := url.Parse(a.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(a.URL) > 2000 {
		fields["url"] = "give an absolute http or https URL"
	}
	if len([]rune(a.Summary)) > 2000 {
		fields["summary"] = "keep the summary under 2000 characters"
	}
	if len([]rune(a.Author)) > 200 {
		fields["author"] = "keep the author under 200 characters"
	}
	if len(a.Body) > 512<<10 {
		fields["body"] = "keep the body under 512 KiB"
	}
	if a.PublishedAt.IsZero() {
		a.PublishedAt = time.Now()
	}
	a.PublishedAt = a.PublishedAt.UTC()
	if len(fields) > 0 {
		return bulletin.Invalid(fields)
	}
	return nil
}

// A Store keeps articles in SQLite.
type Store struct{ db *sqlite.DB }

// NewStore returns a Store on db.
func NewStore(db *sqlite.DB) *Store { return &Store{db: db} }

// Save stores a, or updates the article with the same URL: the same URL
// twice is one article. It reports whether the article is new, and fills
// a.ID. Lists are added, never removed.
func (s *Store) Save(ctx context.Context, a *Article) (created bool, err error) {
	if err := a.Validate(); err != nil {
		return false, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		created, err = saveArticle(ctx, tx, a)
		return err
	})
	return created, err
}

func saveArticle(ctx context.Context, tx *sql.Tx, a *Article) (bool, error) {
	err := tx.QueryRowContext(ctx, `SELECT id FROM articles WHERE url = ?`, a.URL).Scan(&a.ID)
	created := err == sql.ErrNoRows
	switch {
	case created:
		res, err := tx.ExecContext(ctx, `INSERT INTO articles (url, title, summary, body, author, published_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, a.URL, a.Title, a.Summary, a.Body, a.Author, a.PublishedAt, sqlite.Now())
		if err != nil {
			return false, fmt.Errorf("insert article: %w", err)
		}
		if a.ID, err = res.LastInsertId(); err != nil {
			return false, err
		}
	case err != nil:
		return false, fmt.Errorf("find article: %w", err)
	default:
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET title = ?, summary = ?, body = ?, author = ?, published_at = ?
			WHERE id = ?`, a.Title, a.Summary, a.Body, a.Author, a.PublishedAt, a.ID); err != nil {
			return false, fmt.Errorf("update article: %w", err)
		}
	}
	for _, slug := range a.Lists {
		var listID int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM lists WHERE slug = ?`, slug).Scan(&listID); err == sql.ErrNoRows {
			return false, bulletin.Invalid(map[string]string{"lists": fmt.Sprintf("there is no list %q", slug)})
		} else if err != nil {
			return false, fmt.Errorf("find list: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO article_lists (article_id, list_id) VALUES (?, ?)
			ON CONFLICT DO NOTHING`, a.ID, listID); err != nil {
			return false, fmt.Errorf("link article: %w", err)
		}
	}
	return created, nil
}

// A Filter selects articles for List.
type Filter struct {
	List  string    // a list slug, or empty for all
	After int64     // keyset: only ids above this
	Since time.Time // only articles published after this
	Limit int
}

// List returns articles by ascending id, and the id to pass as After for the
// next page (0 when there is none).
func (s *Store) List(ctx context.Context, f Filter) ([]*Article, int64, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	q := `SELECT a.id, a.url, a.title, a.summary, a.body, a.author, a.published_at,
		COALESCE((SELECT group_concat(l.slug, ',') FROM article_lists al JOIN lists l ON l.id = al.list_id
			WHERE al.article_id = a.id), '')
		FROM articles a WHERE a.id > ? AND a.published_at > ?`
	args := []any{f.After, f.Since.UTC()}
	if f.List != "" {
		q += ` AND a.id IN (SELECT al.article_id FROM article_lists al JOIN lists l ON l.id = al.list_id WHERE l.slug = ?)`
		args = append(args, f.List)
	}
	q += ` ORDER BY a.id LIMIT ?`
	args = append(args, f.Limit+1)
	rows, err := s.db.Read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list articles: %w", err)
	}
	defer rows.Close()
	var out []*Article
	for rows.Next() {
		var a Article
		var lists string
		if err := rows.Scan(&a.ID, &a.URL, &a.Title, &a.Summary, &a.Body, &a.Author, &a.PublishedAt, &lists); err != nil {
			return nil, 0, fmt.Errorf("scan article: %w", err)
		}
		a.Lists = []string{}
		if lists != "" {
			a.Lists = strings.Split(lists, ",")
		}
		out = append(out, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	var next int64
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}
