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

// A URLConflict is the error of a save whose URL another article has: a
// conflict (bulletin.ECONFLICT, through Unwrap) whose url field names that
// article by its title and id, as the API answers, and the article itself,
// for a page to link to its edit page.
type URLConflict struct {
	Err *bulletin.Error
	// ID and Title are the article that has the URL.
	ID    int64
	Title string
}

// Error implements the error interface.
func (e *URLConflict) Error() string { return e.Err.Error() }

// Unwrap gives the bulletin.Error, for bulletin.ErrorCode and the rest.
func (e *URLConflict) Unwrap() error { return e.Err }

// urlConflict returns the conflict of a save whose URL article id has,
// read in q (the saving transaction), message being the error's message
// and instead what the url field's reason ends with.
func urlConflict(ctx context.Context, q querier, id int64, message, instead string) error {
	var title string
	if err := q.QueryRowContext(ctx, `SELECT title FROM articles WHERE id = ?`, id).Scan(&title); err != nil {
		return fmt.Errorf("find article %d: %w", id, err)
	}
	why := fmt.Sprintf("“%s” (article %d) has this URL already: one URL is one article", title, id)
	if instead != "" {
		why += "; " + instead
	}
	return &URLConflict{ID: id, Title: title,
		Err: &bulletin.Error{Code: bulletin.ECONFLICT, Message: message, Fields: map[string]string{"url": why}}}
}

// WithURLTaken is err, a refusal of an article's fields, with the
// conflict of its URL, rawURL, added when an article other than except
// (0: any) has it: one answer names every fault, the URL taken beside
// the others, where the editor learnt of it only on the next save. The
// result is a URLConflict (for the page to link to that article) that
// is invalid (bulletin.EINVALID), its url field the conflict's. err is
// returned as it is when it is no refusal of fields, already names the
// URL, or the URL is free.
func (s *Store) WithURLTaken(ctx context.Context, err error, rawURL string, except int64) error {
	return withURLTaken(ctx, s.db.Read, err, rawURL, except, "edit that one instead")
}

// withURLTaken is WithURLTaken in q; instead is what the url field's
// reason ends with, as urlConflict's.
func withURLTaken(ctx context.Context, q querier, err error, rawURL string, except int64, instead string) error {
	fields := bulletin.ErrorFields(err)
	if bulletin.ErrorCode(err) != bulletin.EINVALID || len(fields) == 0 || fields["url"] != "" || strings.TrimSpace(rawURL) == "" {
		return err
	}
	var other int64
	switch qerr := q.QueryRowContext(ctx, `SELECT id FROM articles WHERE url = ? AND id != ?`, ArticleURL(strings.TrimSpace(rawURL)), except).Scan(&other); {
	case errors.Is(qerr, sql.ErrNoRows):
		return err
	case qerr != nil:
		return fmt.Errorf("find article: %w", qerr)
	}
	taken := urlConflict(ctx, q, other, "", instead)
	var c *URLConflict
	if !errors.As(taken, &c) {
		return taken
	}
	return andFields(c, fields)
}

// andFields is c, a URL's conflict, with fields, the other faults of the
// same save: invalid, naming them all.
func andFields(c *URLConflict, fields map[string]string) *URLConflict {
	all := maps.Clone(fields)
	all["url"] = c.Err.Fields["url"]
	return &URLConflict{ID: c.ID, Title: c.Title, Err: bulletin.Invalid(all)}
}
