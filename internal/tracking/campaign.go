package tracking

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A Mode is how much a campaign's tracking records (SPEC §7).
type Mode string

// The tracking modes, as campaigns.tracking holds them.
const (
	Off       Mode = "off"       // links still redirect; nothing is recorded
	Anonymous Mode = "anonymous" // counts and unique readers, never who
	On        Mode = "on"        // each click and open names its delivery
)

// A Campaign is what the redirect and the pixel need of one campaign.
type Campaign struct {
	ID       int64
	Tracking Mode
	Opens    bool
	// Links are the campaign's tracked URLs by index.
	Links []string
}

// URL returns the URL of link index, false when there is none.
func (c *Campaign) URL(index int) (string, bool) {
	if index < 0 || index >= len(c.Links) || c.Links[index] == "" {
		return "", false
	}
	return c.Links[index], true
}

// ErrNoCampaign is returned for a campaign that does not exist.
var ErrNoCampaign = bulletin.Errorf(bulletin.ENOTFOUND, "There is no such campaign.")

// Links reads campaigns' tracking settings and links, keeping them in
// memory for TTL: a campaign's links never change once it is sent, and a
// minute is soon enough for an edit before then, and for a list's
// tracking turned off or down to stop recording clicks and opens of the
// mail it sent already (see load). The cache holds at most
// MaxCampaigns campaigns; only campaigns named by a correctly signed
// token are ever looked up, so it cannot be filled by guessing.
type Links struct {
	db           *sqlite.DB
	TTL          time.Duration
	MaxCampaigns int

	mu sync.RWMutex
	m  map[int64]cachedCampaign
}

type cachedCampaign struct {
	c       *Campaign
	expires time.Time
}

// NewLinks returns a Links reading db.
func NewLinks(db *sqlite.DB) *Links {
	return &Links{db: db, TTL: time.Minute, MaxCampaigns: 4096, m: map[int64]cachedCampaign{}}
}

// Campaign returns campaign id, or ErrNoCampaign.
func (l *Links) Campaign(ctx context.Context, id int64) (*Campaign, error) {
	now := time.Now()
	l.mu.RLock()
	e, ok := l.m[id]
	l.mu.RUnlock()
	if ok && now.Before(e.expires) {
		return e.c, nil
	}
	c, err := l.load(ctx, id)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	if len(l.m) >= l.MaxCampaigns {
		for k := range l.m { // any one: a campaign dropped is read again
			delete(l.m, k)
			break
		}
	}
	l.m[id] = cachedCampaign{c: c, expires: now.Add(l.TTL)}
	l.mu.Unlock()
	return c, nil
}

func (l *Links) load(ctx context.Context, id int64) (*Campaign, error) {
	c := &Campaign{ID: id}
	var tracking string
	err := l.db.Read.QueryRowContext(ctx, `SELECT tracking, opens FROM campaigns WHERE id = ?`, id).Scan(&tracking, &c.Opens)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoCampaign
	} else if err != nil {
		return nil, fmt.Errorf("read campaign %d tracking: %w", id, err)
	}
	c.Tracking = Mode(tracking)
	if err := l.listModes(ctx, c); err != nil {
		return nil, err
	}
	rows, err := l.db.Read.QueryContext(ctx, `SELECT idx, url FROM campaign_links WHERE campaign_id = ? ORDER BY idx`, id)
	if err != nil {
		return nil, fmt.Errorf("read campaign %d links: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var idx int
		var url string
		if err := rows.Scan(&idx, &url); err != nil {
			return nil, fmt.Errorf("read campaign %d links: %w", id, err)
		}
		// Indexes are dense from 0; a gap stays an empty URL, which the
		// redirect treats as no link.
		for len(c.Links) <= idx && idx < 1<<20 {
			c.Links = append(c.Links, "")
		}
		if idx >= 0 && idx < len(c.Links) {
			c.Links[idx] = url
		}
	}
	return c, rows.Err()
}

// listModes lowers c's tracking to its lists' as they are now. The mode
// stored with a campaign is its lists' when the mail was rendered, but
// links in old mail must record nothing more once a list's tracking is
// turned off, and name no reader once it is turned down to anonymous
// (README, "Clicks and opens"). So c is tracked as the least tracked of
// the stored mode and each of its lists' current modes, with opens only
// when the stored value and every list still have them on; a list turned
// up later never raises it, as the mail was rendered without the links
// or the pixel it would need. A campaign whose lists are all deleted has
// no rows here and keeps its stored mode. Only what is recorded changes:
// the links redirect whatever the mode.
func (l *Links) listModes(ctx context.Context, c *Campaign) error {
	rows, err := l.db.Read.QueryContext(ctx, `SELECT l.tracking, l.opens FROM campaign_lists cl
		JOIN lists l ON l.id = cl.list_id WHERE cl.campaign_id = ?`, c.ID)
	if err != nil {
		return fmt.Errorf("read campaign %d lists' tracking: %w", c.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var mode string
		var opens bool
		if err := rows.Scan(&mode, &opens); err != nil {
			return fmt.Errorf("read campaign %d lists' tracking: %w", c.ID, err)
		}
		if Rank(Mode(mode)) < Rank(c.Tracking) {
			c.Tracking = Mode(mode)
		}
		c.Opens = c.Opens && opens
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read campaign %d lists' tracking: %w", c.ID, err)
	}
	// Nothing is recorded of a campaign tracked off, opens included.
	c.Opens = c.Opens && c.Tracking != Off
	return nil
}

// modeRanks orders the modes from the least recorded.
var modeRanks = []Mode{Off, Anonymous, On}

// Rank is mode's place among the modes from the least recorded (off,
// anonymous, on); an unknown mode ranks lowest, so it is never taken for
// more tracking than a known one. A campaign to several lists is sent
// with its lists' lowest, and recorded with the lowest of that and its
// lists' modes now.
func Rank(mode Mode) int {
	for i, r := range modeRanks {
		if r == mode {
			return i
		}
	}
	return -1
}
