package web

import (
	"net/http"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/prose"
)

// percent is the width of the campaign page's bar: the readers the send
// is through with, of those it is for (campaigns.Progress), so the bar
// only moves on while the fan-out adds deliveries. A cancelled campaign's
// bar stops at the readers it went to, short of full by those it never
// did.
func percent(p campaigns.Progress) int {
	if p.Audience == 0 {
		return 0
	}
	return min(p.Done*100/p.Audience, 100)
}

// campaignProgress answers the live numbers the campaign page polls:
// status and stats as the API's campaign has them (stats.total is the
// deliveries made so far), and what the page measures them against:
// audience, the readers the send is for, and percent of it done; of a
// cancelled campaign, the readers it never went to (not_sent), of whom
// never_queued its fan-out never reached; and stalled, what the page
// says of a campaign that has sent nothing for a while (stallNote), ""
// while it sends.
func (s *Server) campaignProgress(w http.ResponseWriter, r *http.Request) {
	e, ok := s.adminCampaign(w, r)
	if !ok {
		return
	}
	p := e.Progress()
	stalled, err := s.campaignStall(r, e.Campaign)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": e.Status, "stats": e.Stats, "percent": percent(p),
		"audience": p.Audience, "not_sent": p.NotSent, "never_queued": p.NeverQueued, "stalled": stalled})
}

// stallNote is what a sending campaign's page says when it has sent
// nothing for a while (campaigns.Stall): how long, why when Bulletin
// knows, and when it resumes the campaign; "" when it sends, or when the
// mail server's refusals (the waiting note) say why already. The times
// are UTC, as the waiting note's, rounded up to the minute.
func stallNote(st *campaigns.Stall, waiting bool, now time.Time) string {
	if st == nil || waiting {
		return ""
	}
	mins := max(int(now.Sub(st.Since)/time.Minute), 1)
	msg := "No messages have gone for " + prose.Count(mins, "minute", "minutes")
	clock := func(t time.Time) string {
		return t.UTC().Add(time.Minute-time.Nanosecond).Truncate(time.Minute).Format("15:04") + " UTC"
	}
	switch {
	case !st.HeldUntil.IsZero():
		msg += ": the run that was sending its next messages stopped (a digest run killed, or a process that ended), and they stay set aside for it until " + clock(st.HeldUntil)
	case !st.QueueLost.IsZero():
		msg += ": the queue lost them (Redis restarted without its data)"
	case st.Requeued.IsZero():
		msg += ": their place in the queue was lost"
	}
	switch {
	case !st.Requeued.IsZero():
		return msg + ". Bulletin queued them again at " + st.Requeued.UTC().Format("15:04") + " UTC; if nothing goes in the next few minutes, check that a sender runs (serve without --no-send, or bulletin worker) and its log."
	case !st.Resume.IsZero():
		return msg + ". Bulletin resumes this campaign by " + clock(st.Resume) + "."
	}
	return msg + ". Bulletin queues them again within 5 minutes."
}

// campaignStall is stallNote of c now.
func (s *Server) campaignStall(r *http.Request, c *campaigns.Campaign) (string, error) {
	st, err := s.Campaigns.Stalled(r.Context(), c)
	if err != nil {
		return "", err
	}
	return stallNote(st, c.Stats.Waiting != nil, time.Now()), nil
}
