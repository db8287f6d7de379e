package articles

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// Feed polling defaults.
const (
	DefaultPollInterval = 15 * time.Minute
	DefaultMaxFeedBytes = 5 << 20
	DefaultFeedTimeout  = 20 * time.Second
)

// A Feed is an RSS or Atom feed whose items become articles of a list.
type Feed struct {
	ID   int64  `json:"id"`
	URL  string `json:"url"`
	List string `json:"list"`
	// Active is false for a paused feed, which is never polled.
	Active       bool       `json:"active"`
	LastPolledAt *time.Time `json:"last_polled_at"`
	// LastStatus is what the latest poll got, in words: the HTTP status
	// ("200 OK", "304 Not Modified") or why it failed.
	LastStatus string `json:"last_status"`
	// LastError is set when the latest poll failed.
	LastError string `json:"last_error,omitempty"`
	// Failures counts the feed's polls that failed in a row; 0 once one
	// works.
	Failures int `json:"failures"`
	// NextPollAt is when a failing feed is polled next, later with each
	// failure in a row (pollBackoff); nil for a feed whose latest poll
	// worked, polled every Interval, and for a paused feed.
	NextPollAt *time.Time `json:"next_poll_at"`
	// Items counts the articles the feed has put on its list, over all
	// its polls: new ones, and ones stored before (another list's feed
	// brought them, an editor added them) that were not on the list. An
	// article on the list already is not counted again.
	Items     int       `json:"items"`
	CreatedAt time.Time `json:"created_at"`
	// Added counts the articles the latest poll put on the feed's list,
	// as Items does, when it ran now.
	Added int `json:"added"`
	// DuplicateOf is the id of the feed of the same list whose URL this
	// feed's comes to in an article URL's form (ArticleURL), so that both
	// poll one feed: this one, left by migration 098 (which merges no
	// feeds), is to be deleted. Nil for a feed that is no duplicate.
	DuplicateOf *int64 `json:"duplicate_of"`
	// DuplicateURL is the URL of the feed DuplicateOf names, as stored.
	DuplicateURL string `json:"-"`

	etag, lastModified string
	// fetched is set once a poll has read all the feed's items
	// (feeds.fetched_at): the next are not its first read.
	fetched bool
}

// Feeds keeps feeds and polls them.
type Feeds struct {
	db       *sqlite.DB
	articles *Store
	client   *http.Client
	// AllowPrivate lets feeds live on loopback and private addresses
	// (BULLETIN_ALLOW_PRIVATE_FEEDS).
	allowPrivate bool
	// Resolver checks hosts when a feed is added; net.DefaultResolver
	// unless set.
	Resolver Resolver
	Interval time.Duration
	MaxBytes int64
	// Log gets a line for each poll that failed or skipped items, and
	// for each new feed refused at its first poll; slog.Default() when
	// nil.
	Log *slog.Logger
	now func() time.Time
	// forgets says when each feed's polls look for its items to forget,
	// feedDeletedForgets when they look for its deleted items to forget,
	// and deletedForgets when polls look for every list's.
	forgets, feedDeletedForgets, deletedForgets forgetClock
}

func (f *Feeds) log() *slog.Logger {
	if f.Log != nil {
		return f.Log
	}
	return slog.Default()
}

// NewFeeds returns Feeds on db that store items through articles. Unless
// allowPrivate, no feed is ever fetched from an address that is not public.
func NewFeeds(db *sqlite.DB, articles *Store, allowPrivate bool) *Feeds {
	dialer := &net.Dialer{Timeout: feedDialTimeout, Control: guard{allowPrivate}.control}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would dial for us, past the guard
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 15 * time.Second,
		MaxIdleConns:          10,
		IdleConnTimeout:       time.Minute,
	}
	client := &http.Client{
		Transport: transport,
		Timeout:   DefaultFeedTimeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errTooManyRedirects
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return errRedirectScheme
			}
			return nil
		},
	}
	return &Feeds{db: db, articles: articles, client: client, allowPrivate: allowPrivate,
		Interval: DefaultPollInterval, MaxBytes: DefaultMaxFeedBytes, now: sqlite.Now}
}

// checkURL validates a feed URL and, unless private feeds are allowed,
// refuses one whose host is not public. It returns the URL to store, and
// whether https:// was put in front of an address typed without a scheme.
// The URL is stored as an article's is (ArticleURL: scheme and host in
// lower case, no default port), so that https://Example.com:443/feed.xml
// and https://example.com/feed.xml are one feed of a list, polled once,
// not two; migration 098 put the feeds stored before in that form.
func (f *Feeds) checkURL(ctx context.Context, raw string) (string, bool, error) {
	u, schemeAdded, msg := feedURL(raw)
	if msg != "" {
		return "", false, bulletin.Invalid(map[string]string{"url": msg})
	}
	r := f.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := (guard{f.allowPrivate}).checkHost(ctx, r, u.Hostname()); err != nil {
		return "", false, bulletin.Invalid(map[string]string{"url": err.Error()})
	}
	return ArticleURL(u.String()), schemeAdded, nil
}

// Add stores a feed of list (its slug, in any case: listKey), unless it
// is there already, and polls it once now unless it is paused. active, when not nil, is set on the feed,
// new or not (false adds it paused); otherwise a new feed is active and
// one there already stays as it was. An address without a scheme is
// taken as https (feedURL), and a feed is stored and found by its URL in
// an article URL's form (checkURL). A poll that fails for a passing reason (no
// answer, a 5xx) is reported in LastStatus and LastError, not as an
// error: the feed is kept and polled again later. But a new feed whose
// first poll shows the URL is no feed (a 4xx, a web page: notPollable)
// is not kept: that is a validation error of its URL, in the poll's
// words, as polling it every 15 minutes would fail the same way until
// someone deleted it.
func (f *Feeds) Add(ctx context.Context, rawURL, list string, active *bool) (*Feed, bool, error) {
	if err := noFeedList(list); err != nil {
		return nil, false, err
	}
	u, schemeAdded, err := f.checkURL(ctx, rawURL)
	if err != nil {
		return nil, false, err
	}
	var created bool
	var id int64
	now := f.now()
	err = f.db.Tx(ctx, func(tx *sql.Tx) error {
		listID, err := feedListID(ctx, tx, list)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO feeds (url, list_id, active, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (url, list_id) DO NOTHING`, u, listID, active == nil || *active, now)
		if err != nil {
			return fmt.Errorf("add feed: %w", err)
		}
		n, _ := res.RowsAffected()
		created = n == 1
		if err := tx.QueryRowContext(ctx, `SELECT id FROM feeds WHERE url = ? AND list_id = ?`, u, listID).Scan(&id); err != nil {
			return fmt.Errorf("add feed: %w", err)
		}
		if !created && active != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE feeds SET active = ? WHERE id = ?`, *active, id); err != nil {
				return fmt.Errorf("add feed: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	fd, err := f.Get(ctx, id)
	if err != nil {
		return nil, false, err
	}
	if fd.Active {
		var perr error
		fd.Added, perr = f.poll(ctx, fd, true, created)
		if np := (*notPollable)(nil); created && errors.As(perr, &np) {
			return nil, false, f.refuse(ctx, id, np, u, schemeAdded)
		}
	}
	got, err := f.Get(ctx, id)
	if err != nil {
		return nil, false, err
	}
	got.Added = fd.Added
	return got, created, nil
}

const feedColumns = `f.id, f.url, l.slug, f.active, f.etag, f.last_modified, f.last_polled_at, f.last_status, f.last_error, f.items, f.created_at,
	f.fetched_at IS NOT NULL, f.failures, f.next_poll_at`

func scanFeed(r interface{ Scan(...any) error }) (*Feed, error) {
	var fd Feed
	var polled, next sql.NullTime
	if err := r.Scan(&fd.ID, &fd.URL, &fd.List, &fd.Active, &fd.etag, &fd.lastModified, &polled, &fd.LastStatus, &fd.LastError, &fd.Items, &fd.CreatedAt,
		&fd.fetched, &fd.Failures, &next); err != nil {
		return nil, err
	}
	fd.LastPolledAt = utcTime(polled)
	if fd.Active {
		fd.NextPollAt = utcTime(next)
	}
	return &fd, nil
}

// utcTime is t in UTC, nil when NULL.
func utcTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// Get returns the feed of id, or ENOTFOUND.
func (f *Feeds) Get(ctx context.Context, id int64) (*Feed, error) {
	fd, err := scanFeed(f.db.Read.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM feeds f JOIN lists l ON l.id = f.list_id WHERE f.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, bulletin.Errorf(bulletin.ENOTFOUND, "There is no feed %d.", id)
	} else if err != nil {
		return nil, fmt.Errorf("get feed: %w", err)
	}
	if err := f.markDuplicates(ctx, fd); err != nil {
		return nil, err
	}
	return fd, nil
}

// Due returns the active feeds not polled within the interval, but for
// a failing feed whose next poll is later (pollBackoff). A minute's slack
// lets the poll task, which runs every few minutes, take a feed due
// within the minute.
func (f *Feeds) Due(ctx context.Context) ([]*Feed, error) {
	now := f.now()
	rows, err := f.db.Read.QueryContext(ctx, `SELECT `+feedColumns+` FROM feeds f JOIN lists l ON l.id = f.list_id
		WHERE f.active = 1 AND (f.last_polled_at IS NULL OR f.last_polled_at < ?) AND (f.next_poll_at IS NULL OR f.next_poll_at <= ?)
		ORDER BY f.id`, now.Add(-f.Interval+time.Minute), now.Add(time.Minute))
	if err != nil {
		return nil, fmt.Errorf("due feeds: %w", err)
	}
	defer rows.Close()
	var out []*Feed
	for rows.Next() {
		fd, err := scanFeed(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, fd)
	}
	return out, rows.Err()
}

// PollDue polls every due feed, one after the other. A feed that fails
// keeps its error in last_status and last_error, and is polled less often
// while it fails (pollBackoff); the others go on.
func (f *Feeds) PollDue(ctx context.Context) (int, error) {
	feeds, err := f.Due(ctx)
	if err != nil {
		return 0, err
	}
	added := 0
	for _, fd := range feeds {
		if ctx.Err() != nil {
			return added, ctx.Err()
		}
		n, _ := f.Poll(ctx, fd)
		added += n
	}
	return added, nil
}
