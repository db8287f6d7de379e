package campaigns

import (
	"context"
	"fmt"

	"github.com/bulletinhq/bulletin/internal/events"
)

// A Progress is how far a campaign's send has come, measured against the
// readers it is for. Its deliveries alone are no measure while the
// fan-out runs: they grow a page at a time, so a bar drawn against them
// fills and empties again as each page lands.
type Progress struct {
	// Audience is the readers the send is measured against. While the
	// fan-out runs it is the audience counted (Campaign.Audience, at most
	// once a minute); stopped before its end, paused or cancelled, the
	// deliveries made and the readers past the fan-out's cursor; once it
	// is done, the deliveries.
	Audience int
	// Done is the readers the send is through with: sent, bounced,
	// failed or skipped. Of a cancelled campaign it is those it went to
	// (sent, bounced or failed): the skipped are among NotSent.
	Done int
	// NotSent, of a cancelled campaign, is the readers it never went to:
	// Audience less Done, the skipped and the NeverQueued.
	NotSent int
	// NeverQueued, of a cancelled campaign, is the readers its fan-out
	// never reached.
	NeverQueued int
}

// unfannedSQL reads a campaign's deliveries made so far (total) and, for
// a campaign whose fan-out is not done, the readers past its cursor that
// campaignAudienceSQL counts, of those who were readers by a time (the
// cancel of a cancelled campaign, so that readers who joined since are
// not taken for ones it missed): in one statement, so the two add up.
// The count walks the lists' members after the cursor on the
// subscriptions_list index, so it costs the readers left, not the lists;
// a digest, whose deliveries are all made at once, and a finished
// fan-out count nothing. (A fan-out pages by subscriber id, so every
// member up to the cursor has its delivery.) The unary + keeps SQLite
// from walking every confirmed reader on the (status, created_at) index
// to find the lists' few. The unary + keeps SQLite
// from walking every confirmed reader by when they joined, on the
// subscribers page's index (status, created_at, id), instead.
const unfannedSQL = `SELECT c.total, CASE WHEN c.kind = 'campaign' AND NOT c.fanout_done THEN (
	SELECT COUNT(*) FROM subscribers s
	WHERE s.id IN (SELECT x.subscriber_id FROM campaign_lists cl
		CROSS JOIN subscriptions x ON x.list_id = cl.list_id AND x.status = 'active' AND x.subscriber_id > c.fanout_after
		WHERE cl.campaign_id = c.id AND +x.created_at <= ?1)
	AND s.status = 'confirmed' AND +s.created_at <= ?1 AND NOT ` + events.SuppressedSQL + `) ELSE 0 END
	FROM campaigns c WHERE c.id = ?2`

// Progress returns how far c's send has come. c is a campaign or digest
// as Get or Entry return it, with its stats and audience. Only a paused
// or cancelled campaign whose fan-out stopped short costs a count, of the
// readers it did not reach; the progress page polls neither.
func (s *Store) Progress(ctx context.Context, c *Campaign) (Progress, error) {
	st := c.Stats
	p := Progress{Audience: st.Total, Done: st.Sent + st.Bounced + st.Failed + st.Skipped}
	switch c.Status {
	case StatusDraft, StatusScheduled:
		p.Audience = c.Audience
	case StatusSending:
		// While the fan-out runs, c.Audience is the count; after, the
		// deliveries (audienceOf).
		p.Audience = max(c.Audience, st.Total)
	case StatusPaused, StatusCancelled:
		until := s.now()
		if c.Status == StatusCancelled && c.FinishedAt != nil {
			until = *c.FinishedAt
		}
		var made, left int
		if err := s.db.Read.QueryRowContext(ctx, unfannedSQL, until, c.ID).Scan(&made, &left); err != nil {
			return p, fmt.Errorf("campaign progress: %w", err)
		}
		p.Audience = max(made+left, st.Total)
	}
	p.Audience = max(p.Audience, p.Done)
	if c.Status == StatusCancelled {
		p.Done -= st.Skipped
		p.NotSent, p.NeverQueued = p.Audience-p.Done, p.Audience-st.Total
	}
	return p, nil
}
