package campaigns

import (
	"context"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/subscribers"
)

// PlannedTracking is the tracking mode draft or scheduled campaign id
// would be sent with if it started now: the strictest of its lists'
// modes as they are (SPEC §7), which its start fixes; off when this
// server tracks no link (no Tracker) or the campaign has no list left.
// ok is false for a campaign that has left draft and scheduled, and for a
// digest or an id nobody has: a started one's mode is the one stored when
// it started.
func (s *Service) PlannedTracking(ctx context.Context, id int64) (mode string, ok bool, err error) {
	c, err := s.head(ctx, id)
	if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
		return "", false, nil
	} else if err != nil {
		return "", false, err
	}
	if !editable(c.Status) {
		return "", false, nil
	}
	if s.Tracker == nil {
		return subscribers.TrackingOff, true, nil
	}
	m, err := s.trackMode(ctx, id)
	if bulletin.ErrorCode(err) == bulletin.ENOTFOUND { // no list: nothing to send, nothing tracked
		return subscribers.TrackingOff, true, nil
	} else if err != nil {
		return "", false, err
	}
	return m.tracking, true, nil
}
