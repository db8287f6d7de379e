package articles

import (
	"context"
	"fmt"

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
