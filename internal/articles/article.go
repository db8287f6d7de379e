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
	"unicode"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// An Article is one story on the publisher's site.
type Article struct {
	ID      int64  `json:"id"`
	Title   string `json:"title"`
	URL     string `json:"url"`
	Summary string `json:"summary"`
	Body    string `json:"body"`
	Author  string `json:"author"`
	// ImageURL is an https URL of the article's image, shown in digests.
	// Bulletin never fetches it: readers' mail programs do.
	ImageURL string `json:"image_url"`
	// ImageAlt describes the image for readers who cannot see it.
	ImageAlt string `json:"image_alt"`
	// ImageWidth and ImageHeight are the image's size in pixels, both
	// known or both 0 (unknown): Bulletin only knows what it is told, as it
	// never downloads the image. A digest shows an image of known size in
	// its shape, never wider than it is.
	ImageWidth  int       `json:"image_width"`
	ImageHeight int       `json:"image_height"`
	PublishedAt time.Time `json:"published_at"`
	Lists       []string  `json:"lists"`
}

// Validate trims a and checks it, naming each bad field. Its title,
// summary, author and image alt text are read as posted, as Put reads the
// API's (postedText): each is checked for the text it leaves, not for its
// markup.
func (a *Article) Validate() error {
	a.Title, a.Summary = postedText(a.Title), postedText(a.Summary)
	a.Author, a.ImageAlt = postedText(a.Author), postedText(a.ImageAlt)
	if fields := a.check(); len(fields) > 0 {
		return bulletin.Invalid(fields)
	}
	return nil
}

// check trims a, puts its URL in the form articles are stored and looked
// up in (ArticleURL: scheme and host in lower case, no default port),
// dates it now when it has no date, and returns what is
// wrong with it by field.
func (a *Article) check() map[string]string {
	a.Title = strings.TrimSpace(a.Title)
	a.URL = ArticleURL(strings.TrimSpace(a.URL))
	a.Author = strings.TrimSpace(a.Author)
	a.Summary = strings.TrimSpace(a.Summary)
	a.ImageURL = strings.TrimSpace(a.ImageURL)
	a.ImageAlt = strings.TrimSpace(a.ImageAlt)
	fields := map[string]string{}
	switch {
	case a.Title == "" || len([]rune(a.Title)) > 300:
		fields["title"] = "give a title of 1–300 characters"
	case strings.ContainsAny(a.Title, lineBreaks):
		// A digest shows it on one line, above its URL.
		fields["title"] = "keep the title to one line"
	}
	if u, err := url.Parse(a.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fields["url"] = "give an absolute http or https URL"
	} else if n := utf8.RuneCountInString(a.URL); n > MaxURLLength {
		fields["url"] = fmt.Sprintf("keep the URL to at most %d characters: this one has %d", MaxURLLength, n)
	}
	if len([]rune(a.Summary)) > 2000 {
		fields["summary"] = "keep the summary to at most 2000 characters"
	}
	if len([]rune(a.Author)) > 200 {
		fields["author"] = "keep the author to at most 200 characters"
	}
	if len(a.Body) > 512<<10 {
		fields["body"] = "keep the body to at most 512 KiB"
	}
	if a.ImageURL != "" && !httpsURL(a.ImageURL) {
		fields["image_url"] = "give an absolute https URL of at most 2000 characters, without a user name (mail programs block images over http), or leave it empty"
	}
	if len([]rune(a.ImageAlt)) > 500 || strings.ContainsFunc(a.ImageAlt, unicode.IsControl) {
		fields["image_alt"] = "keep the image's alt text to one line of at most 500 characters"
	}
	a.checkImageSize(fields)
	if a.PublishedAt.IsZero() {
		a.PublishedAt = time.Now()
	}
	a.PublishedAt = a.PublishedAt.UTC()
	return fields
}

// MaxURLLength is the most characters an article's URL may have, as a
// webhook endpoint's and a feed's: longer is no page's address.
const MaxURLLength = 2000

// MaxImageSide is the largest width or height, in pixels, an article's
// image may be given: larger is a typing slip, not a picture for a mail.
const MaxImageSide = 10000

// checkImageSize adds to fields what is wrong with a's image size: each
// side a whole number from 1 to MaxImageSide, both or neither (a digest
// needs both to keep the image's shape), and only with an image.
func (a *Article) checkImageSize(fields map[string]string) {
	sides := []struct {
		field, name string
		v, other    int
	}{
		{"image_width", "width", a.ImageWidth, a.ImageHeight},
		{"image_height", "height", a.ImageHeight, a.ImageWidth},
	}
	for _, s := range sides {
		switch {
		case s.v < 0 || s.v > MaxImageSide:
			fields[s.field] = fmt.Sprintf("give the image's %s in pixels, a whole number from 1 to %d, or leave it empty", s.name, MaxImageSide)
		case s.v != 0 && a.ImageURL == "":
			fields[s.field] = fmt.Sprintf("give the image's %s only with its URL, or leave it empty", s.name)
		case s.v == 0 && s.other >= 1 && s.other <= MaxImageSide && a.ImageURL != "":
			fields[s.field] = fmt.Sprintf("give the image's %s too, or neither: a digest needs both to keep its shape", s.name)
		}
	}
}

// lineBreaks are the characters that end a line: CR, LF and the others
// Unicode counts as line or paragraph separators.
const lineBreaks = "\r\n\v\f\u0085\u2028\u2029"

// httpsURL reports whether raw is an absolute https URL with a host and
// no user name, as an image in a mail must be.
func httpsURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && strings.EqualFold(u.Scheme, "https") && u.Host != "" && u.User == nil && len(raw) <= 2000
}

// searchText is what the admin's search looks in, folded to lower case.
func (a *Article) searchText() string {
	return strings.ToLower(a.Title + "\n" + a.Summary + "\n" + a.URL + "\n" + a.Author)
}

// A Store keeps articles in SQLite.
type Store struct{ db *sqlite.DB }

// NewStore returns a Store on db.
func NewStore(db *sqlite.DB) *Store { return &Store{db: db} }

// Save stores a, or updates the article with the same URL: the same URL
// twice is one article, whatever the case of its scheme and host. It is
// how feeds and the seeds save: the title, summary and author are a's;
// an empty body, a zero date or no image keep what is stored, so a feed
// item, which has no body and may have no image or date, takes away none
// of them; an image of unknown size keeps the stored size while it is the
// same image. Lists are added, never removed, and never one an editor
// took the article off (Update). It reports whether the article is new,
// and fills a.ID. An article an editor has changed (Update) keeps its
// text: Save only adds its lists.
func (s *Store) Save(ctx context.Context, a *Article) (created bool, err error) {
	stored, created, err := s.Put(ctx, feedPatch(a, false))
	if err != nil {
		return false, err
	}
	*a = *stored
	return created, nil
}

// feedPatch is the change Save makes with a; with oldNews, the links it
// makes from a to lists are links no digest takes as new (see
// Patch.oldNews).
func feedPatch(a *Article, oldNews bool) *Patch {
	p := &Patch{Title: &a.Title, URL: &a.URL, Summary: &a.Summary, Author: &a.Author, Lists: &a.Lists, fromFeed: true, oldNews: oldNews}
	if a.Body != "" {
		p.Body = &a.Body
	}
	if a.ImageURL != "" {
		p.ImageURL, p.ImageAlt = &a.ImageURL, &a.ImageAlt
		if a.ImageWidth != 0 || a.ImageHeight != 0 {
			p.ImageWidth, p.ImageHeight = &a.ImageWidth, &a.ImageHeight
		}
	}
	if !a.PublishedAt.IsZero() {
		p.PublishedAt = &a.PublishedAt
	}
	return p
}

// insertArticle stores a new article and fills its ID.
func insertArticle(ctx context.Context, tx *sql.Tx, a *Article) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO articles (url, title, summary, body, author, image_url, image_alt, image_width, image_height,
		published_at, search_text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.URL, a.Title, a.Summary, a.Body, a.Author,
		a.ImageURL, a.ImageAlt, a.ImageWidth, a.ImageHeight, a.PublishedAt, a.searchText(), sqlite.Now())
	if err != nil {
		return fmt.Errorf("insert article: %w", err)
	}
	a.ID, err = res.LastInsertId()
	return err
}

// updateArticle writes every field of a over the stored article a.ID.
func updateArticle(ctx context.Context, tx *sql.Tx, a *Article) error {
	if _, err := tx.ExecContext(ctx, `UPDATE articles SET url = ?, title = ?, summary = ?, body = ?, author = ?, image_url = ?, image_alt = ?,
		image_width = ?, image_height = ?, published_at = ?, search_text = ? WHERE id = ?`, a.URL, a.Title, a.Summary, a.Body, a.Author,
		a.ImageURL, a.ImageAlt, a.ImageWidth, a.ImageHeight, a.PublishedAt, a.searchText(), a.ID); err != nil {
		return fmt.Errorf("update article: %w", err)
	}
	return nil
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
	q := `SELECT ` + articleColumns + ` FROM articles a WHERE a.id > ? AND a.published_at > ?`
	args := []any{f.After, f.Since.UTC()}
	if f.List != "" {
		q += ` AND a.id IN (SELECT al.article_id FROM article_lists al JOIN lists l ON l.id = al.list_id WHERE l.slug = ?)`
		args = append(args, f.List)
	}
	q += ` ORDER BY a.id LIMIT ?`
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
