package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/tracking"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

// trackMode is how a campaign is tracked when it is sent: the strictest
// of its lists' modes, with opens only when every list has them on and
// links are tracked at all.
type trackMode struct {
	kind     string // campaign or digest
	tracking string // off, anonymous or on
	opens    bool
}

// sendContents are contents for a send: the messages of deliveries, whose
// links are tracked as the campaign's lists ask (SPEC §7). It records the
// mode and the campaign's links, which the redirect reads; the contents
// of the lists share them. Only the HTML part's links are rewritten: the
// text part is read as it is, so its URLs stay the ones they lead to
// (EMAIL.md, "Signed and traceable"). Test sends and previews use
// contents, untracked: no delivery stands behind them.
func (s *Service) sendContents(ctx context.Context, id int64) (listContents, error) {
	cs, err := s.contents(ctx, id)
	if err != nil || s.Tracker == nil {
		return cs, err
	}
	m, err := s.trackMode(ctx, id)
	if err != nil {
		return nil, err
	}
	// One render's markers are every list's (see contents).
	mk := mailer.Markers(cs[0].Markers)
	t := newLinkTracker(cs[0].BaseURL, mk)
	t.issue = archiveURL(t.base, id)
	if m.tracking != subscribers.TrackingOff {
		for _, c := range cs {
			t.collect(c.HTML)
		}
	}
	idx, err := s.saveTracking(ctx, id, m, t.urls)
	if err != nil {
		return nil, err
	}
	reader := "." + mk.Of(mailer.Reader)
	link := func(u string) string { return t.base + "/r/" + s.Tracker.Link(id, idx[u]) + reader }
	for _, c := range cs {
		if len(t.urls) > 0 {
			c.HTML = t.html(c.HTML, link)
		}
		if m.opens {
			c.HTML = t.pixel(c.HTML)
		}
	}
	return cs, nil
}

// trackMode resolves campaign id's mode from its lists.
func (s *Service) trackMode(ctx context.Context, id int64) (trackMode, error) {
	m := trackMode{tracking: subscribers.TrackingOn, opens: true}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT c.kind, l.tracking, l.opens FROM campaigns c
		JOIN campaign_lists cl ON cl.campaign_id = c.id JOIN lists l ON l.id = cl.list_id WHERE c.id = ?`, id)
	if err != nil {
		return m, fmt.Errorf("campaign tracking: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var mode string
		var opens bool
		if err := rows.Scan(&m.kind, &mode, &opens); err != nil {
			return m, fmt.Errorf("campaign tracking: %w", err)
		}
		// A campaign to several lists takes the lowest mode.
		if tracking.Rank(tracking.Mode(mode)) < tracking.Rank(tracking.Mode(m.tracking)) {
			m.tracking = mode
		}
		m.opens = m.opens && opens
		n++
	}
	if err := rows.Err(); err != nil {
		return m, fmt.Errorf("campaign tracking: %w", err)
	}
	if n == 0 {
		return m, bulletin.Errorf(bulletin.ENOTFOUND, "There is no campaign %d.", id)
	}
	// Nothing is recorded of a campaign tracked off, opens included.
	m.opens = m.opens && m.tracking != subscribers.TrackingOff
	return m, nil
}

// saveTracking records the mode campaign id is sent with and gives each
// of urls, in the order they come in the message, its link index: the one
// stored already, so a message rendered again (by the reconciler, or for a
// digest's next batch) links as the first did, or the next free one. A
// digest's links to its articles are stored with the article's id.
func (s *Service) saveTracking(ctx context.Context, id int64, m trackMode, urls []string) (map[string]int, error) {
	idx := make(map[string]int, len(urls))
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET tracking = ?, opens = ? WHERE id = ?`, m.tracking, m.opens, id); err != nil {
			return err
		}
		if len(urls) == 0 {
			return nil
		}
		rows, err := tx.QueryContext(ctx, `SELECT idx, url FROM campaign_links WHERE campaign_id = ?`, id)
		if err != nil {
			return err
		}
		next := 0
		for rows.Next() {
			var i int
			var u string
			if err := rows.Scan(&i, &u); err != nil {
				rows.Close()
				return err
			}
			if _, ok := idx[u]; !ok {
				idx[u] = i
			}
			next = max(next, i+1)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, u := range urls {
			if _, ok := idx[u]; ok {
				continue
			}
			idx[u] = next
			next++
			if err := insertLink(ctx, tx, id, idx[u], u, m.kind == "digest"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("save campaign %d links: %w", id, err)
	}
	return idx, nil
}

// insertLink stores link i of campaign id; a digest's link to an article
// names the article.
func insertLink(ctx context.Context, tx *sql.Tx, id int64, i int, url string, digest bool) error {
	var article sql.NullInt64
	if digest {
		var err error
		if article, err = linkArticle(ctx, tx, url); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO campaign_links (campaign_id, idx, url, article_id) VALUES (?, ?, ?, ?)`, id, i, url, article)
	return err
}

// linkArticle finds the article a digest's link to url goes to, if any.
// The link is the article's URL as html/template wrote it in an href, so
// an article whose URL it percent-encoded (a non-ASCII letter, a bracket),
// or that is stored with escapes in the other case, has the link's
// linkKey, not its URL. Such a URL starts as the link does up to the
// link's first "%", which html/template leaves as it was: the articles
// with that prefix are the ones compared, the newest first, as the one
// most likely in this digest when two stored forms are the same URL.
func linkArticle(ctx context.Context, tx *sql.Tx, url string) (sql.NullInt64, error) {
	var article sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT id FROM articles WHERE url = ?`, url).Scan(&article)
	if !errors.Is(err, sql.ErrNoRows) {
		return article, err
	}
	prefix, _, escaped := strings.Cut(url, "%")
	if !escaped {
		return article, nil // html/template changed nothing: only the same URL matches
	}
	// No UTF-8 text has the byte 0xff, so every URL with the prefix sorts
	// before prefix+"\xff" and the range is read from the index of urls.
	rows, err := tx.QueryContext(ctx, `SELECT id, url FROM articles WHERE url >= ? AND url < ? ORDER BY id DESC`, prefix, prefix+"\xff")
	if err != nil {
		return article, err
	}
	defer rows.Close()
	key := linkKey(url)
	for rows.Next() {
		var id int64
		var u string
		if err := rows.Scan(&id, &u); err != nil {
			return article, err
		}
		if linkKey(u) == key {
			return sql.NullInt64{Int64: id, Valid: true}, nil
		}
	}
	return article, rows.Err()
}

// hasPrefixFold says s starts with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
