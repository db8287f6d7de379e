package tracking

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// A ClickEvent is what one link.clicked event says: people's clicks on
// one link of one campaign from Since to Until.
type ClickEvent struct {
	Campaign     int64
	URL          string
	Clicks       int
	Since, Until time.Time
}

// ClickEvents emits link.clicked for a Recorder (RecorderOptions.Events),
// in the transaction that stores the clicks (the outbox pattern: the
// event commits or rolls back with them). People's clicks on a link add
// up in memory, and go out at most once per Every per link: with the
// first batch (or the writer's check every few seconds) once Every has
// passed since the first click counted. Machine clicks are not counted;
// a click found to be part of a burst later, after it was counted, stays
// counted.
//
// Counts not yet emitted live only in memory: a crash loses them (the
// clicks themselves are stored, and the reports count them), while Close
// emits what is pending. A batch that rolls back leaves the counts as
// they were before it.
//
// Only the Recorder's writer goroutine calls its methods.
type ClickEvents struct {
	// Every is the least time between two events of one link (default
	// one minute).
	Every time.Duration
	// Now is the clock (time.Now by default).
	Now func() time.Time

	emit    func(context.Context, *sql.Tx, ClickEvent) error
	pending map[linkKey]pendingClicks
	staged  map[linkKey]pendingClicks
}

type linkKey struct {
	campaign int64
	link     int
}

type pendingClicks struct {
	clicks int
	since  time.Time
}

// NewClickEvents returns ClickEvents that emit each event with emit
// (hooks.EmitClicks, in serve).
func NewClickEvents(emit func(context.Context, *sql.Tx, ClickEvent) error) *ClickEvents {
	return &ClickEvents{Every: time.Minute, Now: time.Now, emit: emit, pending: map[linkKey]pendingClicks{}}
}

// due reports whether a pending count is to go out now.
func (e *ClickEvents) due() bool {
	now := e.Now()
	for _, p := range e.pending {
		if now.Sub(p.since) >= e.Every {
			return true
		}
	}
	return false
}

// inTx adds a batch's counts and, in tx, emits those due (all when all
// is set: at Close). The result stays staged until done.
func (e *ClickEvents) inTx(ctx context.Context, tx *sql.Tx, counts []LinkCount, all bool) error {
	now := e.Now().UTC().Truncate(time.Microsecond)
	next := maps.Clone(e.pending)
	for _, lc := range counts {
		people := lc.Clicks - lc.Machine
		k := linkKey{lc.Campaign, lc.Link}
		p := next[k]
		if people < 0 {
			// Clicks a burst showed to be a machine's, afterwards: out of
			// the count, unless it went out already.
			if p.clicks += people; p.clicks > 0 {
				next[k] = p
			} else {
				delete(next, k)
			}
			continue
		}
		if people == 0 {
			continue
		}
		if p.clicks == 0 {
			p.since = now
		}
		p.clicks += people
		next[k] = p
	}
	keys := slices.SortedFunc(maps.Keys(next), func(a, b linkKey) int {
		return cmp.Or(cmp.Compare(a.campaign, b.campaign), cmp.Compare(a.link, b.link))
	})
	for _, k := range keys {
		p := next[k]
		if !all && now.Sub(p.since) < e.Every {
			continue
		}
		delete(next, k)
		var url string
		err := tx.QueryRowContext(ctx, `SELECT url FROM campaign_links WHERE campaign_id = ? AND idx = ?`, k.campaign, k.link).Scan(&url)
		if errors.Is(err, sql.ErrNoRows) {
			continue // the campaign is gone: nobody to tell
		} else if err != nil {
			return fmt.Errorf("link.clicked of campaign %d: %w", k.campaign, err)
		}
		if err := e.emit(ctx, tx, ClickEvent{Campaign: k.campaign, URL: url, Clicks: p.clicks, Since: p.since, Until: now}); err != nil {
			return fmt.Errorf("link.clicked of campaign %d: %w", k.campaign, err)
		}
	}
	e.staged = next
	return nil
}

// done keeps what inTx staged when its transaction committed, and drops
// it when it did not.
func (e *ClickEvents) done(committed bool) {
	if committed && e.staged != nil {
		e.pending = e.staged
	}
	e.staged = nil
}
