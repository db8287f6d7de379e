package web

import (
	"net/http"
	"strconv"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/events"
)

// eventFilter reads ?type=&campaign=&after=&limit= (SPEC §6). Without a
// type the listing has bounces and complaints; clicks and opens, each in
// their own table with their own ids, are listed by type=click or open.
func eventFilter(r *http.Request) (events.Filter, error) {
	q := r.URL.Query()
	var f events.Filter
	var err error
	if f.After, f.Limit, err = keyset(q.Get("after"), q.Get("limit")); err != nil {
		return f, err
	}
	switch f.Type = q.Get("type"); f.Type {
	case "", events.TypeBounce, events.TypeComplaint, events.TypeClick, events.TypeOpen:
	default:
		return f, bulletin.Invalid(map[string]string{"type": "use bounce, complaint, click or open"})
	}
	if c := q.Get("campaign"); c != "" {
		if f.CampaignID, err = strconv.ParseInt(c, 10, 64); err != nil || f.CampaignID <= 0 {
			return f, bulletin.Invalid(map[string]string{"campaign": "use a campaign's id"})
		}
	}
	return f, nil
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) {
	f, err := eventFilter(r)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	items, next, err := s.Events.List(r.Context(), f)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, newPage(items, next))
}
