package tracking

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// Reports reads what a campaign's clicks and opens add up to (SPEC §7).
// People's figures leave machine clicks and opens out; those are counted
// apart. Unique readers are counted by their per-campaign pseudonym, so
// erasing a reader (which unlinks their clicks from their delivery)
// changes no figure.
type Reports struct {
	db *sqlite.DB
	// Now is the clock of the list report's window; time.Now by default.
	Now func() time.Time
}

// NewReports returns Reports reading db.
func NewReports(db *sqlite.DB) *Reports { return &Reports{db: db, Now: time.Now} }

// A CampaignReport is the engagement of one campaign or digest.
type CampaignReport struct {
	ID        int64      `json:"id"`
	Subject   string     `json:"subject"`
	Kind      string     `json:"kind"`
	Tracking  Mode       `json:"tracking"`
	StartedAt *time.Time `json:"started_at"`
	// Delivered counts the messages sent, those whose rows were folded
	// away after the retention period or erased with their reader
	// included.
	Delivered int `json:"delivered"`
	// Clickers counts the readers who clicked (people only); clicks
	// from the archive or a test send name no reader and count in
	// Clicks only.
	Clickers int `json:"clickers"`
	Clicks   int `json:"clicks"`
	// ClickRate is Clickers / Delivered, 0 to 1, to 4 places.
	ClickRate     float64 `json:"click_rate"`
	Opens         int     `json:"opens"`
	Openers       int     `json:"openers"`
	MachineClicks int     `json:"machine_clicks"`
	MachineOpens  int     `json:"machine_opens"`
	// Links are the tracked links, the most clicked first.
	Links []LinkReport `json:"links"`
	// Series is people's clicks and opens by hour for the first 48 hours
	// after the start, by day after.
	Series []Bucket `json:"series"`
	// Articles are a digest's, the most clicked first; nil for a campaign.
	Articles []ArticleReport `json:"articles,omitempty"`
}

// A LinkReport is the clicks on one tracked link.
type LinkReport struct {
	Index    int    `json:"index"`
	URL      string `json:"url"`
	Clicks   int    `json:"clicks"`
	Clickers int    `json:"clickers"`
}

// A Bucket is the clicks and opens of one hour or day of a series,
// starting At (UTC). The first day starts where the hours end.
type Bucket struct {
	At     time.Time `json:"at"`
	Span   string    `json:"span"` // "hour" or "day"
	Clicks int       `json:"clicks"`
	Opens  int       `json:"opens"`
}

// An ArticleReport is the clicks on an article's links: in one digest,
// or across a list's digests, where Clickers adds up each digest's unique
// clickers (a reader's pseudonym differs per campaign by design, so
// readers cannot be matched across digests).
type ArticleReport struct {
	ID       int64  `json:"id"`
	Title    string `json:"title"`
	URL      string `json:"url"`
	Clicks   int    `json:"clicks"`
	Clickers int    `json:"clickers"`
	// Digests counts the digests the article was in (list reports).
	Digests int `json:"digests,omitempty"`
}

// Campaign returns the report of campaign id, or ErrNoCampaign.
func (r *Reports) Campaign(ctx context.Context, id int64) (*CampaignReport, error) {
	tx, err := r.db.Read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("report of campaign %d: %w", id, err)
	}
	defer tx.Rollback()
	rep, err := campaignTotals(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if rep.Links, err = campaignLinks(ctx, tx, id); err != nil {
		return nil, err
	}
	if rep.Series, err = campaignSeries(ctx, tx, id, rep.StartedAt); err != nil {
		return nil, err
	}
	if rep.Kind == "digest" {
		if rep.Articles, err = digestArticles(ctx, tx, id); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// campaignTotals reads the campaign and its figures in one statement:
// one snapshot.
func campaignTotals(ctx context.Context, tx *sql.Tx, id int64) (*CampaignReport, error) {
	rep := &CampaignReport{ID: id}
	var started sql.NullTime
	var tracking string
	err := tx.QueryRowContext(ctx, `SELECT c.subject, c.kind, c.tracking, c.started_at,
		c.folded_sent + (SELECT COUNT(*) FROM deliveries WHERE campaign_id = c.id AND status = 'sent'),
		(SELECT COUNT(*) FROM clicks WHERE campaign_id = c.id AND machine = 0),
		(SELECT COUNT(DISTINCT clicker) FROM clicks WHERE campaign_id = c.id AND machine = 0),
		(SELECT COUNT(*) FROM clicks WHERE campaign_id = c.id AND machine = 1),
		(SELECT COUNT(*) FROM opens WHERE campaign_id = c.id AND machine = 0),
		(SELECT COUNT(DISTINCT opener) FROM opens WHERE campaign_id = c.id AND machine = 0),
		(SELECT COUNT(*) FROM opens WHERE campaign_id = c.id AND machine = 1)
		FROM campaigns c WHERE c.id = ?`, id).Scan(&rep.Subject, &rep.Kind, &tracking, &started,
		&rep.Delivered, &rep.Clicks, &rep.Clickers, &rep.MachineClicks, &rep.Opens, &rep.Openers, &rep.MachineOpens)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoCampaign
	} else if err != nil {
		return nil, fmt.Errorf("report of campaign %d: %w", id, err)
	}
	rep.Tracking = Mode(tracking)
	if started.Valid {
		t := started.Time.UTC()
		rep.StartedAt = &t
	}
	if rep.Delivered > 0 {
		rep.ClickRate = math.Round(float64(rep.Clickers)/float64(rep.Delivered)*1e4) / 1e4
	}
	return rep, nil
}

// campaignLinks reads each tracked link's clicks by people, the most
// clicked first.
func campaignLinks(ctx context.Context, tx *sql.Tx, id int64) ([]LinkReport, error) {
	rows, err := tx.QueryContext(ctx, `SELECT l.idx, l.url, COUNT(c.id), COUNT(DISTINCT c.clicker)
		FROM campaign_links l
		LEFT JOIN clicks c ON c.campaign_id = l.campaign_id AND c.link_idx = l.idx AND c.machine = 0
		WHERE l.campaign_id = ? GROUP BY l.idx ORDER BY 3 DESC, l.idx`, id)
	if err != nil {
		return nil, fmt.Errorf("report links of campaign %d: %w", id, err)
	}
	defer rows.Close()
	out := []LinkReport{}
	for rows.Next() {
		var l LinkReport
		if err := rows.Scan(&l.Index, &l.URL, &l.Clicks, &l.Clickers); err != nil {
			return nil, fmt.Errorf("report links of campaign %d: %w", id, err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// digestArticles reads the clicks on each article a digest links to,
// all of an article's links (its title, its picture) together.
func digestArticles(ctx context.Context, tx *sql.Tx, id int64) ([]ArticleReport, error) {
	rows, err := tx.QueryContext(ctx, `SELECT a.id, a.title, a.url, COUNT(c.id), COUNT(DISTINCT c.clicker)
		FROM campaign_links l JOIN articles a ON a.id = l.article_id
		LEFT JOIN clicks c ON c.campaign_id = l.campaign_id AND c.link_idx = l.idx AND c.machine = 0
		WHERE l.campaign_id = ? GROUP BY a.id ORDER BY 4 DESC, MIN(l.idx)`, id)
	if err != nil {
		return nil, fmt.Errorf("report articles of digest %d: %w", id, err)
	}
	return scanArticles(rows, false)
}

func scanArticles(rows *sql.Rows, digests bool) ([]ArticleReport, error) {
	defer rows.Close()
	out := []ArticleReport{}
	for rows.Next() {
		var a ArticleReport
		dest := []any{&a.ID, &a.Title, &a.URL, &a.Clicks, &a.Clickers}
		if digests {
			dest = append(dest, &a.Digests)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("report articles: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
