package web

import (
	"net/http"

	"github.com/bulletinhq/bulletin/internal/campaigns"
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
// never_queued its fan-out never reached.
func (s *Server) campaignProgress(w http.ResponseWriter, r *http.Request) {
	e, ok := s.adminCampaign(w, r)
	if !ok {
		return
	}
	p := e.Progress()
	writeJSON(w, http.StatusOK, map[string]any{"status": e.Status, "stats": e.Stats, "percent": percent(p),
		"audience": p.Audience, "not_sent": p.NotSent, "never_queued": p.NeverQueued})
}
