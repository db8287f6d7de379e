package campaigns

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Which articles are news to a digest.
//
// An article is new to a list's window when it was linked to the list
// after the window's mark (article_lists.seq), or is held for the window
// (digest_holds): that is what makes the same article go out once. It is
// news when it was also published no earlier than a week (FirstWindow)
// before the window's previous digest, or, for the window's first digest,
// in the past week. The link says when an article reached the list, not
// when it happened: an archive back-filled through the API, the seeds'
// sample articles or a republished story join a list today with dates of
// weeks or months ago, and went out as "new stories" of then. The week of
// grace after the previous digest keeps an article published just before
// it but added after it (a feed polled late, a post retried by the site)
// for the next digest, on a weekly list or one run by hand as on a daily
// one; it is the week after which a feed's item is old news when first
// seen (articles.OldNewsAge). An article given no date is dated when it
// is added, so it is news then. An article left out as old news is passed
// by the window's mark all the same: no later digest takes it either.

// windowSQL picks the articles of a window: those of list ? linked to it
// after link number ?, and those held for the list's marks table ? that
// are still on it. Each set comes from its own index (article_lists_seq
// from the mark, the holds' key), so a digest reads what came since its
// mark, never every link of the list.
const windowSQL = ` FROM articles a WHERE a.id IN (
	SELECT article_id FROM article_lists WHERE list_id = ? AND seq > ?
	UNION SELECT h.article_id FROM digest_holds h
		JOIN article_lists al ON al.list_id = h.list_id AND al.article_id = h.article_id
	WHERE h.list_id = ? AND h.marks = ?)`

// windowArticlesSQL reads a window's articles published since ?, newest
// first.
const windowArticlesSQL = `SELECT a.id, a.title, a.url, a.summary, a.body, a.author, a.image_url, a.image_alt,
	a.image_width, a.image_height, a.published_at` + windowSQL + `
	AND a.published_at >= ? ORDER BY a.published_at DESC, a.id DESC`

// oldNewsSQL counts a window's articles published before ?.
const oldNewsSQL = `SELECT COUNT(*)` + windowSQL + ` AND a.published_at < ?`

// newsSince is the earliest publication of an article the window with
// mark m takes as news at now: a week before its previous digest, or
// before now for its first.
func newsSince(m mark, now time.Time) time.Time {
	if m.ok && m.at.Before(now) {
		now = m.at
	}
	return now.Add(-FirstWindow).UTC()
}

// readWindow returns the articles of d's window of the list, the one of
// marks table with mark m, that are news (see above) and out by now,
// newest first; those not out yet (held); and the number of the last link
// made to any list (article_link_counter: numbers only grow, so an
// article that joins the list later, or takes a deleted one's id, is
// after it). It notes on d the earliest publication it takes and, for a
// preview, how many articles of the window it leaves out as old news.
func readWindow(ctx context.Context, tx *sql.Tx, listID int64, table string, m mark, d *Digest, now time.Time) (out []digestArticle, held []int64, last int64, err error) {
	d.first, d.newsSince = !m.ok, newsSince(m, now)
	window := []any{listID, m.linkSeq, listID, table, d.newsSince}
	rows, err := tx.QueryContext(ctx, windowArticlesSQL, window...)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("digest articles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a digestArticle
		if err := rows.Scan(&a.id, &a.Title, &a.URL, &a.summary, &a.body, &a.Author, &a.ImageURL, &a.ImageAlt,
			&a.imageWidth, &a.imageHeight, &a.PublishedAt); err != nil {
			return nil, nil, 0, err
		}
		if a.PublishedAt.After(now) {
			held = append(held, a.id)
			continue
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, 0, err
	}
	if digestDryOf(ctx) != nil {
		// Only the editor looking first is told; a build does not count
		// what it leaves out.
		if err := tx.QueryRowContext(ctx, oldNewsSQL, window...).Scan(&d.oldNews); err != nil {
			return nil, nil, 0, fmt.Errorf("digest old news: %w", err)
		}
	}
	if err := tx.QueryRowContext(ctx, `SELECT value FROM article_link_counter`).Scan(&last); err != nil {
		return nil, nil, 0, fmt.Errorf("last article link: %w", err)
	}
	return out, held, last, nil
}
