package articles

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// Check returns the refusal of fields that saving p would answer,
// storing nothing: Put's (the API's POST) when id is 0, else Update's of
// article id, a URL another article has named with the rest as Update
// names it. An API body some members of which the decoder refused is
// checked so for the rest, and one answer names every fault. Conflicts
// that are not of fields (an article deleted from its lists) are the
// save's alone; an article gone is ErrNotFound.
func (s *Store) Check(ctx context.Context, id int64, p *Patch) error {
	if id == 0 && (p.URL == nil || strings.TrimSpace(*p.URL) == "") {
		return p.noURL()
	}
	tx, err := s.db.Read.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("check article: %w", err)
	}
	defer tx.Rollback()
	a := &Article{}
	if id == 0 {
		// Put saves over the article of the URL, when one has it.
		err := tx.QueryRowContext(ctx, `SELECT id FROM articles WHERE url = ?`, ArticleURL(strings.TrimSpace(*p.URL))).Scan(&id)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find article: %w", err)
		}
		if id != 0 {
			if a, err = getArticle(ctx, tx, id); err != nil {
				return err
			}
		}
		p.apply(a)
		_, err = checkPatched(ctx, tx, a, p)
		return err
	}
	if a, err = getArticle(ctx, tx, id); err != nil {
		return err
	}
	stored := a.URL
	p.apply(a)
	if _, err = checkPatched(ctx, tx, a, p); err != nil && a.URL != ArticleURL(stored) {
		return withURLTaken(ctx, tx, err, a.URL, id, "")
	}
	return err
}

// noURL is Put's refusal of p, which gives no URL: the other fields are
// checked too, so that one answer names everything to fix.
func (p *Patch) noURL() error {
	a := &Article{}
	p.apply(a)
	fields := a.check()
	p.checkDate(fields)
	fields["url"] = "give the article's URL: an absolute http or https URL"
	return bulletin.Invalid(fields)
}
