package web

import (
	"net/http"
	"slices"

	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// digestSendPage is what "Send now" on /admin/digests leads to: the list,
// its schedule and its latest digest, with the button that builds and
// sends the digest (POST /admin/digests/{slug}/run). Showing it changes
// nothing, so the editor can look before sending to a whole list.
type digestSendPage struct {
	adminPage
	List digestSchedule
	// Latest is the list's newest digest among the recent ones, nil when
	// there is none there; None says the list has had no digest at all,
	// known only when the recent ones are all the digests there are.
	Latest    *campaigns.Entry
	None      bool
	FirstDays int // how far back a list's first digest looks
}

// recentDigests is how many of the newest digests the digests page and
// the send page read.
const recentDigests = 100

// digestSendForm answers GET /admin/digests/{slug}/run: the page that asks
// before the list's digest is sent now.
func (s *Server) digestSendForm(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	if s.Digests == nil {
		s.adminNotFound(w, r)
		return
	}
	l, err := s.Subscribers.ListBySlug(r.Context(), slug)
	if err != nil {
		s.adminFail(w, r, err)
		return
	}
	p := &digestSendPage{List: scheduleOf(l), FirstDays: int(campaigns.FirstWindow.Hours() / 24)}
	if s.Campaigns != nil {
		past, err := s.Campaigns.Recent(r.Context(), "digest", recentDigests)
		if err != nil {
			s.adminError(w, r, err)
			return
		}
		p.Latest = latestOf(past, slug)
		p.None = p.Latest == nil && len(past) < recentDigests
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_digest_preview", p)
}

// latestOf is the newest of the digests past (newest first) of the list
// slug, or nil.
func latestOf(past []campaigns.Entry, slug string) *campaigns.Entry {
	for i := range past {
		if slices.Contains(past[i].Lists, slug) {
			return &past[i]
		}
	}
	return nil
}
