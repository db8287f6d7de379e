package articles

import (
	"context"
	"strings"
)

// A Search selects articles for the admin's list of them, newest first.
type Search struct {
	Q      string // in the title, summary, URL or author, ignoring case
	List   string // a list slug, or empty for all
	Before int64  // keyset: only articles after this one, newest first
	Limit  int
}

// Search returns the articles s selects, newest published first, and the
// id to pass as Before for the next page (0 when there is none).
func (s *Store) Search(ctx context.Context, f Search) ([]*Article, int64, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	q := `SELECT ` + articleColumns + ` FROM articles a WHERE 1`
	var args []any
	if needle := strings.TrimSpace(f.Q); needle != "" {
		// search_text is folded by Go; rows from before it was, by
		// SQLite's lower(), which folds ASCII only: try both foldings.
		q += ` AND (instr(a.search_text, ?) > 0 OR instr(a.search_text, lower(?)) > 0)`
		args = append(args, strings.ToLower(needle), needle)
	}
	if f.List != "" {
		q += ` AND a.id IN (SELECT al.article_id FROM article_lists al JOIN lists l ON l.id = al.list_id WHERE l.slug = ?)`
		args = append(args, f.List)
	}
	if f.Before > 0 {
		q += ` AND (a.published_at, a.id) < (SELECT published_at, id FROM articles WHERE id = ?)`
		args = append(args, f.Before)
	}
	q += ` ORDER BY a.published_at DESC, a.id DESC LIMIT ?`
	args = append(args, f.Limit+1)
	out, err := s.query(ctx, s.db.Read, q, args...)
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}
