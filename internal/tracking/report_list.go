package tracking

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// A ListReport ranks the articles of a list's digests of the last Days
// days by people's clicks, across those digests.
type ListReport struct {
	List    string    `json:"list"`
	Days    int       `json:"days"`
	Since   time.Time `json:"since"`
	Digests int       `json:"digests"`
	// Articles are the most clicked first; those nobody clicked last.
	Articles []ArticleReport `json:"articles"`
}

// MaxReportDays bounds a list report's window.
const MaxReportDays = 366

// ErrNoList is returned for a list report of a list that does not exist.
var ErrNoList = bulletin.Errorf(bulletin.ENOTFOUND, "There is no such list.")

// List returns the report of list slug over the digests started in the
// last days days (1 to MaxReportDays).
func (r *Reports) List(ctx context.Context, slug string, days int) (*ListReport, error) {
	if days < 1 || days > MaxReportDays {
		return nil, bulletin.Errorf(bulletin.EINVALID, "days must be a whole number from 1 to %d.", MaxReportDays)
	}
	rep := &ListReport{List: slug, Days: days, Since: r.Now().UTC().Add(-time.Duration(days) * 24 * time.Hour).Truncate(time.Microsecond)}
	tx, err := r.db.Read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("report of list %s: %w", slug, err)
	}
	defer tx.Rollback()
	var list int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM lists WHERE slug = ?`, slug).Scan(&list)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoList
	} else if err != nil {
		return nil, fmt.Errorf("report of list %s: %w", slug, err)
	}
	const digests = `SELECT c.id FROM campaigns c JOIN campaign_lists cl ON cl.campaign_id = c.id
		WHERE cl.list_id = ? AND c.kind = 'digest' AND c.started_at >= ?`
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+digests+`)`, list, rep.Since).Scan(&rep.Digests); err != nil {
		return nil, fmt.Errorf("report of list %s: %w", slug, err)
	}
	// Per digest and article first (a reader's pseudonym holds within one
	// campaign), then summed per article.
	rows, err := tx.QueryContext(ctx, `SELECT a.id, a.title, a.url, SUM(per.clicks), SUM(per.clickers), COUNT(*)
		FROM (SELECT l.campaign_id, l.article_id, COUNT(k.id) AS clicks, COUNT(DISTINCT k.clicker) AS clickers
			FROM campaign_links l
			LEFT JOIN clicks k ON k.campaign_id = l.campaign_id AND k.link_idx = l.idx AND k.machine = 0
			WHERE l.campaign_id IN (`+digests+`) AND l.article_id IS NOT NULL
			GROUP BY l.campaign_id, l.article_id) per
		JOIN articles a ON a.id = per.article_id
		GROUP BY a.id ORDER BY 4 DESC, a.id`, list, rep.Since)
	if err != nil {
		return nil, fmt.Errorf("report of list %s: %w", slug, err)
	}
	if rep.Articles, err = scanArticles(rows, true); err != nil {
		return nil, err
	}
	return rep, nil
}
