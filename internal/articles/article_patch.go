package articles

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A Patch is a change to an article: each field given (not nil) is set,
// an empty string included; a nil one stays as stored. The API's JSON
// decodes into it, so an absent member is not a blank one. A new image
// URL keeps none of the stored size, which was the old image's: without
// a size given with it, the size is unknown.
type Patch struct {
	Title       *string    `json:"title"`
	URL         *string    `json:"url"`
	Summary     *string    `json:"summary"`
	Body        *string    `json:"body"`
	Author      *string    `json:"author"`
	ImageURL    *string    `json:"image_url"`
	ImageAlt    *string    `json:"image_alt"`
	ImageWidth  *int       `json:"image_width"`
	ImageHeight *int       `json:"image_height"`
	PublishedAt *time.Time `json:"published_at"`
	Lists       *[]string  `json:"lists"`

	// fromFeed marks a feed's (or the seeds') save: it changes no text of
	// an article an editor has changed in Bulletin, only adds lists.
	fromFeed bool
	// onlyNew refuses a URL already stored (Create).
	onlyNew bool
	// oldNews marks a feed item that is not news: one published long
	// before the poll that first saw it (a new feed's back issues). The
	// links to lists this save makes get number 0, below every digest's
	// mark, so no digest takes the article as new; links made before keep
	// their numbers.
	oldNews bool
}

// apply sets a's fields that p gives, its lists aside. A title,
// summary, author or image alt text posted, not a feed's, loses its
// markup (postedText): each is shown as text.
func (p *Patch) apply(a *Article) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	if p.fromFeed {
		// A feed's texts are read as their feed writes them (feedText).
		set(&a.Title, p.Title)
		set(&a.Summary, p.Summary)
		set(&a.Author, p.Author)
		set(&a.ImageAlt, p.ImageAlt)
	} else {
		setPosted(&a.Title, p.Title)
		setPosted(&a.Summary, p.Summary)
		setPosted(&a.Author, p.Author)
		setPosted(&a.ImageAlt, p.ImageAlt)
	}
	set(&a.URL, p.URL)
	set(&a.Body, p.Body)
	if p.ImageURL != nil && strings.TrimSpace(*p.ImageURL) != strings.TrimSpace(a.ImageURL) {
		// The stored size was the old image's: a new one has only the
		// size p gives it.
		a.ImageWidth, a.ImageHeight = 0, 0
	}
	set(&a.ImageURL, p.ImageURL)
	if p.ImageWidth != nil {
		a.ImageWidth = *p.ImageWidth
	}
	if p.ImageHeight != nil {
		a.ImageHeight = *p.ImageHeight
	}
	if p.PublishedAt != nil {
		a.PublishedAt = *p.PublishedAt
	}
}

// Put stores the article of p's URL, its scheme and host in any case,
// with or without the default port (see ArticleURL): a new
// one when the URL is not stored, else the stored one with the fields p
// gives changed and lists added (never removed), but none an editor took
// it off (notTakenOff). A CMS posts an
// article again at every save, with the lists it always names: putting it
// back on a list the editor took it off undid the editor at each save.
// Only an editor's change of its lists (Update: the admin's form, the
// API's PATCH) puts it back. Nor does it store again an article an editor
// deleted from a list (offeredDeleted): that is a conflict, and only an
// editor's new article (Create) brings it back. It returns the article as
// stored and whether it is new.
func (s *Store) Put(ctx context.Context, p *Patch) (*Article, bool, error) {
	if p.URL == nil || strings.TrimSpace(*p.URL) == "" {
		return nil, false, p.noURL()
	}
	var out *Article
	var created, deleted bool
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if p.keepsDeleted() {
			// Refused with the record's rows seen again, committed.
			if deleted, err = offeredDeleted(ctx, tx, strings.TrimSpace(*p.URL)); deleted || err != nil {
				return err
			}
		}
		out, created, err = putTx(ctx, tx, p)
		if err == nil && created && p.onlyNew {
			// An editor's new article brings a deleted one back for
			// the feeds too.
			err = forgetDeletedURL(ctx, tx, out.URL)
		}
		return err
	})
	if deleted && err == nil {
		return nil, false, errDeletedURL
	}
	return out, created, err
}

// putTx is Put in tx, for p with a URL.
func putTx(ctx context.Context, tx *sql.Tx, p *Patch) (*Article, bool, error) {
	var id int64
	var edited bool
	err := tx.QueryRowContext(ctx, `SELECT id, edited_at IS NOT NULL FROM articles WHERE url = ?`, ArticleURL(strings.TrimSpace(*p.URL))).Scan(&id, &edited)
	created := errors.Is(err, sql.ErrNoRows)
	if err != nil && !created {
		return nil, false, fmt.Errorf("find article: %w", err)
	}
	if !created && p.onlyNew {
		err := urlConflict(ctx, tx, id, "Another article has this URL: nothing was saved.", "edit that one instead")
		// The other faults of the new article are named with it: the
		// editor who fixed the URL learnt of them on the next save.
		var c *URLConflict
		if errors.As(err, &c) {
			a := &Article{}
			p.apply(a)
			if _, cerr := checkPatched(ctx, tx, a, p); bulletin.ErrorCode(cerr) == bulletin.EINVALID {
				err = andFields(c, bulletin.ErrorFields(cerr))
			} else if cerr != nil {
				err = cerr
			}
		}
		return nil, false, err
	}
	if edited && p.fromFeed {
		p = &Patch{URL: p.URL, Lists: p.Lists, fromFeed: true, oldNews: p.oldNews}
	}
	a, err := writePatch(ctx, tx, id, p)
	return a, created, err
}

// writePatch applies p to article id, or to a new article when id is 0,
// stores it and its lists, and returns it as stored.
func writePatch(ctx context.Context, tx *sql.Tx, id int64, p *Patch) (*Article, error) {
	a := &Article{}
	if id != 0 {
		var err error
		if a, err = getArticle(ctx, tx, id); err != nil {
			return nil, err
		}
	}
	p.apply(a)
	ids, err := checkPatched(ctx, tx, a, p)
	if err != nil {
		return nil, err
	}
	if id == 0 {
		err = insertArticle(ctx, tx, a)
	} else {
		err = updateArticle(ctx, tx, a)
	}
	if err != nil {
		return nil, err
	}
	// A save by URL (a feed's, the seeds', the API's POST) adds the
	// article to no list an editor took it off.
	if ids, err = notTakenOff(ctx, tx, a.ID, ids); err != nil {
		return nil, err
	}
	if p.oldNews {
		err = joinListsAsOld(ctx, tx, a.ID, ids)
	} else {
		err = joinLists(ctx, tx, a.ID, ids)
	}
	if err != nil {
		return nil, err
	}
	return getArticle(ctx, tx, a.ID)
}

// Create stores p as a new article. A URL already stored is a conflict
// naming the article that has it, checked in the transaction that
// inserts: a form for new articles never changes one. The URL of an
// article deleted before is brought back, for posts and feeds alike: its
// lists forget it was deleted (forgetDeletedURL).
func (s *Store) Create(ctx context.Context, p *Patch) (*Article, error) {
	q := *p
	q.onlyNew = true
	a, _, err := s.Put(ctx, &q)
	return a, err
}

// Update changes the fields of article id that p gives; p's lists, when
// given, become its whole membership. A URL another article has is a
// conflict. It is an editor's change: from then on a feed poll leaves
// the article's text alone (see Save), and neither a feed nor a POST
// (Put) puts it back on a list the editor took it off (leaveOtherLists);
// p's lists put it back on those it names.
func (s *Store) Update(ctx context.Context, id int64, p *Patch) (*Article, error) {
	var out *Article
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		a, err := getArticle(ctx, tx, id)
		if err != nil {
			return err
		}
		stored := a.URL
		p.apply(a)
		ids, err := checkPatched(ctx, tx, a, p)
		if err != nil && a.URL != ArticleURL(stored) {
			// A URL another article has is named with the rest.
			return withURLTaken(ctx, tx, err, a.URL, id, "")
		} else if err != nil {
			return err
		}
		if a.URL == ArticleURL(stored) {
			// The URL is unchanged but for the case of its scheme or
			// host or a default port: a duplicate a migration
			// left as it was (that was all that told it from another
			// article) keeps its URL, and can still be edited.
			a.URL = stored
		}
		var other int64
		err = tx.QueryRowContext(ctx, `SELECT id FROM articles WHERE url = ? AND id != ?`, a.URL, id).Scan(&other)
		if err == nil {
			return urlConflict(ctx, tx, other, "Another article has this URL.", "")
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find article: %w", err)
		}
		if err := updateArticle(ctx, tx, a); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET edited_at = ? WHERE id = ?`, sqlite.Now(), id); err != nil {
			return fmt.Errorf("mark article edited: %w", err)
		}
		if p.Lists != nil {
			// Only the lists left go; a link kept keeps its number, which
			// the lists' digests have passed, or the article would go out
			// to its lists again.
			if err := leaveOtherLists(ctx, tx, id, ids); err != nil {
				return err
			}
			if err := putBack(ctx, tx, id, ids); err != nil {
				return err
			}
			if err := joinLists(ctx, tx, id, ids); err != nil {
				return err
			}
		}
		out, err = getArticle(ctx, tx, id)
		return err
	})
	return out, err
}

// checkPatched checks a with p applied, and the lists p names, reporting
// every bad field at once. It returns the ids of p's lists.
func checkPatched(ctx context.Context, tx *sql.Tx, a *Article, p *Patch) ([]int64, error) {
	fields := a.check()
	p.checkDate(fields)
	var ids []int64
	if p.Lists != nil {
		// A slug names its list in any case (listKey), each list once:
		// "News" and "news" put the article on news. Every unknown one is
		// named, once, in one answer, as the subscriber endpoints name
		// theirs: one at a time took a request per typo.
		var unknown, unknownKeys []string
		for _, slug := range *p.Lists {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM lists WHERE slug = ?`, listKey(slug)).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				if !slices.Contains(unknownKeys, listKey(slug)) {
					unknownKeys = append(unknownKeys, listKey(slug))
					unknown = append(unknown, strconv.Quote(slug))
				}
				continue
			} else if err != nil {
				return nil, fmt.Errorf("find list: %w", err)
			}
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		if len(unknown) > 0 {
			fields["lists"] = noLists(unknown)
		}
	}
	if len(fields) > 0 {
		return nil, bulletin.Invalid(fields)
	}
	return ids, nil
}

// EarliestPublished is the earliest date an article may be given: an
// earlier one is a slip (the zero time a client sends for none, a year
// 0), and the zero time was taken for no date and replaced with now,
// overwriting a stored date without a word.
var EarliestPublished = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// checkDate adds to fields what is wrong with the date p gives: one
// before EarliestPublished. Only a date not given dates a new article
// now. A feed's dates are the feed's, and one it does not give is none.
func (p *Patch) checkDate(fields map[string]string) {
	if p.PublishedAt != nil && !p.fromFeed && p.PublishedAt.Before(EarliestPublished) {
		fields["published_at"] = "give a date and time from 1900 on, like 2026-12-01T09:00:00Z, " +
			"or leave published_at out to keep the stored date (a new article is dated now)"
	}
}

// joinListsAsOld adds article id to the lists of ids as joinLists does,
// but numbers the links it makes 0, so that no digest takes the article as
// new (Patch.oldNews). The counter's value before the links are made
// tells them from the links the article had.
func joinListsAsOld(ctx context.Context, tx *sql.Tx, id int64, ids []int64) error {
	var before int64
	if err := tx.QueryRowContext(ctx, `SELECT value FROM article_link_counter`).Scan(&before); err != nil {
		return fmt.Errorf("link article: %w", err)
	}
	if err := joinLists(ctx, tx, id, ids); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE article_lists SET seq = 0 WHERE article_id = ? AND seq > ?`, id, before); err != nil {
		return fmt.Errorf("link article as old news: %w", err)
	}
	return nil
}

// joinLists adds article id to the lists of ids.
func joinLists(ctx context.Context, tx *sql.Tx, id int64, ids []int64) error {
	for _, listID := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO article_lists (article_id, list_id) VALUES (?, ?)
			ON CONFLICT DO NOTHING`, id, listID); err != nil {
			return fmt.Errorf("link article: %w", err)
		}
	}
	return nil
}
