package web

import (
	"net/http"
	"strconv"

	"github.com/bulletinhq/bulletin/internal/events"
)

// eventsPageSize is how many events the admin page shows at once.
const eventsPageSize = 100

type eventsPage struct {
	adminPage
	Kind   string
	Events []events.Recorded
	Older  int64
	Health events.Health
	// BounceRate and ComplaintRate are Health's, as percentages.
	BounceRate, ComplaintRate string
	Unparsed                  []events.Unparsed
}

// eventsPage lists the newest bounces and complaints, of one ?kind= when
// asked, paged by ?before=; then the mail that came back but was neither.
func (s *Server) eventsPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	p := &eventsPage{Kind: q.Get("kind")}
	if p.Kind != events.TypeBounce && p.Kind != events.TypeComplaint {
		p.Kind = ""
	}
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	var err error
	if p.Events, p.Older, err = s.Events.List(ctx, events.Filter{Type: p.Kind, After: max(before, 0), Newest: true, Limit: eventsPageSize}); err != nil {
		s.adminError(w, r, err)
		return
	}
	if p.Health, err = s.Events.Health(ctx, s.healthSince()); err != nil {
		s.adminError(w, r, err)
		return
	}
	p.BounceRate, p.ComplaintRate = percentText(p.Health.BounceRate()), percentText(p.Health.ComplaintRate())
	if p.Unparsed, err = s.Events.UnparsedMail(ctx); err != nil {
		s.adminError(w, r, err)
		return
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_events", p)
}
