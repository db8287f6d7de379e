package campaigns

import (
	"context"
	"database/sql"
	"time"

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
	// deliveries made and the readers past the fan-out's cursor when it
	// stopped (campaigns.not_reached); once it is done, the deliveries.
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
// from walking every confirmed reader by when they joined, on the
// subscribers page's index (status, created_at, id), to find the lists'
// few. Migration 073 holds the same count, for the campaigns stopped
// before it.
const unfannedSQL = `SELECT c.total, CASE WHEN c.kind = 'campaign' AND NOT c.fanout_done THEN (
	SELECT COUNT(*) FROM subscribers s
	WHERE s.id IN (SELECT x.subscriber_id FROM campaign_lists cl
		CROSS JOIN subscriptions x ON x.list_id = cl.list_id AND x.status = 'active' AND x.subscriber_id > c.fanout_after
		WHERE cl.campaign_id = c.id AND +x.created_at <= ?1)
	AND s.status = 'confirmed' AND +s.created_at <= ?1 AND NOT ` + events.SuppressedSQL + `) ELSE 0 END
	FROM campaigns c WHERE c.id = ?2`

// Progress returns how far c's send has come. c is a campaign or digest
// as Get or Entry return it, with its stats and audience. It counts no
// reader: a paused or cancelled campaign's readers not reached were
// counted when it stopped (stopped), so the campaigns list, which shows
// up to 200 of them, costs a read of each one's row, where a count takes
// 0.6 s at 1,000,000 readers.
func (c *Campaign) Progress() Progress {
	st := c.Stats
	p := Progress{Audience: st.Total, Done: st.Sent + st.Bounced + st.Failed + st.Skipped}
	switch c.Status {
	case StatusDraft, StatusScheduled:
		p.Audience = c.Audience
	case StatusSending, StatusPaused, StatusCancelled:
		// While the fan-out runs, c.Audience is the count; paused or
		// cancelled, the deliveries and the readers not reached (stopped);
		// after, the deliveries (audienceOf).
		p.Audience = max(c.Audience, st.Total)
	}
	p.Audience = max(p.Audience, p.Done)
	if c.Status == StatusCancelled {
		p.Done -= st.Skipped
		p.NotSent, p.NeverQueued = p.Audience-p.Done, p.Audience-st.Total
	}
	return p
}

// stopped returns the deliveries made by paused or cancelled campaign id
// and the readers its fan-out had not reached when it stopped: those
// past its cursor who were readers by until (unfannedSQL). The cancel or
// pause counts them once, after its commit (recordStop), and not_reached
// keeps them. A cancelled campaign's never change after: they are the
// readers at the cancel, whoever joins or leaves since, and the Folder,
// which marks its fan-out done, does not lose them. A paused campaign's
// are as of its pause: a reader who joins while it waits counts once it
// sends again (in Campaign.Audience), where counting at each look would
// cost the campaigns list a count per paused campaign at every view, and
// make its page and the list differ by whoever joined between the two
// reads. A campaign stopped before migration 073 was counted by it; one
// whose count is missing (the process stopped between the commit and
// the count, or the count failed) is counted here, once.
func (s *Store) stopped(ctx context.Context, id int64, status string, until time.Time) (made, left int, err error) {
	var notReached sql.NullInt64
	var at string // updated_at as stored, which the status change set
	if err := s.db.Read.QueryRowContext(ctx, `SELECT total, not_reached, CAST(updated_at AS TEXT) FROM campaigns WHERE id = ?`, id).
		Scan(&made, &notReached, &at); err != nil {
		return 0, 0, err
	}
	if notReached.Valid {
		return made, int(notReached.Int64), nil
	}
	if err := s.db.Read.QueryRowContext(ctx, unfannedSQL, until, id).Scan(&made, &left); err != nil {
		return 0, 0, err
	}
	// Only the stop counted: a resume and a second pause meanwhile,
	// after which the cursor has moved on, change updated_at.
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE campaigns SET not_reached = ? WHERE id = ? AND status = ? AND updated_at = ? AND not_reached IS NULL`,
			left, id, status, at)
		return err
	})
	return made, left, err
}

// stoppedAt is the time of the readers a paused or cancelled c counts as
// not reached: those of its cancel, or of now for a paused one.
func (c *Campaign) stoppedAt(now time.Time) time.Time {
	if c.Status == StatusCancelled && c.FinishedAt != nil {
		return *c.FinishedAt
	}
	return now
}

// recordStop counts the readers campaign id, just paused or cancelled at
// at, had not reached (stopped). It runs after the status change
// commits, once the fan-out can move its cursor no more, so the count
// (0.6 s at 1,000,000 readers) holds no write lock. A failure is logged,
// not returned: the change is made, and Progress counts what is missing.
func (s *Service) recordStop(ctx context.Context, id int64, status string, at time.Time) {
	if _, _, err := s.stopped(context.WithoutCancel(ctx), id, status, at); err != nil {
		s.log().Error("count the readers a stopped campaign did not reach; its page counts them", "campaign", id, "status", status, "err", err)
	}
}
