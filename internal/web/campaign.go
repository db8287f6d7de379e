package web

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// CampaignDeps are what the campaign API needs.
type CampaignDeps struct {
	Campaigns *campaigns.Service
}

// campaignRoutes registers the campaign API of SPEC §3.
func (s *Server) campaignRoutes() {
	if s.Campaigns == nil {
		return
	}
	routes := map[string]http.HandlerFunc{
		"GET /api/v1/campaigns":                 s.listCampaigns,
		"POST /api/v1/campaigns":                s.createCampaign,
		"GET /api/v1/campaigns/{id}":            s.getCampaign,
		"PATCH /api/v1/campaigns/{id}":          s.patchCampaign,
		"DELETE /api/v1/campaigns/{id}":         s.deleteCampaign,
		"POST /api/v1/campaigns/{id}/duplicate": s.duplicateCampaign,
		"POST /api/v1/campaigns/{id}/test":      s.testCampaign,
		"POST /api/v1/campaigns/{id}/send":      s.campaignStep(s.Campaigns.Send),
		"POST /api/v1/campaigns/{id}/pause":     s.campaignStep(s.Campaigns.Pause),
		"POST /api/v1/campaigns/{id}/resume":    s.campaignStep(s.Campaigns.Resume),
		"POST /api/v1/campaigns/{id}/cancel":    s.campaignStep(s.Campaigns.Cancel),
	}
	for pattern, h := range routes {
		s.mux.Handle(pattern, s.requireToken(h))
	}
}

// A campaignAnswer is a campaign as the API answers it on its own: its
// fields, its kind when read by id, and LeftOut, what its body writes
// that its mail leaves out (campaigns.Dropped), which the admin pages
// show above the preview and an API client would otherwise learn of only
// from the mail. LeftOut is never nil, so that nothing left out is [],
// not null.
type campaignAnswer struct {
	*campaigns.Campaign
	Kind    string        `json:"kind,omitempty"`
	LeftOut []leftOutJSON `json:"left_out"`
}

// A leftOutJSON is one thing a body writes that its mail leaves out,
// named as the admin pages name it (campaigns.DroppedItem).
type leftOutJSON struct {
	What string `json:"what"`
	Line int    `json:"line"`
	Note string `json:"note"`
}

// answerOf is c as the API answers it, of kind when read by id.
func answerOf(c *campaigns.Campaign, kind string) campaignAnswer {
	items := campaigns.Dropped(c.Body)
	out := make([]leftOutJSON, len(items))
	for i, it := range items {
		out[i] = leftOutJSON(it)
	}
	return campaignAnswer{Campaign: c, Kind: kind, LeftOut: out}
}

// listCampaigns answers a page of campaigns without left_out: finding it
// renders parts of the body, which takes a few tenths of a second for a
// body of inline marks near the 512 KiB a body may hold
// (BenchmarkDropped), and a page holds up to 500 of them. A client reads
// a campaign by id for it.
func (s *Server) listCampaigns(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after, limit, err := keyset(q.Get("after"), q.Get("limit"))
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	items, next, err := s.Campaigns.List(r.Context(), after, limit)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, newPage(items, next))
}

func (s *Server) createCampaign(w http.ResponseWriter, r *http.Request) {
	var c campaigns.Campaign
	if body, err := decodeJSONBody(r, &c); err != nil {
		writeError(w, r, s.Log, s.campaignRest(r.Context(), body, err, 0))
		return
	}
	if err := s.Campaigns.Schedule(r.Context(), &c); err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	got, err := s.Campaigns.Get(r.Context(), c.ID)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusCreated, answerOf(got, ""))
}

func (s *Server) getCampaign(w http.ResponseWriter, r *http.Request) {
	id, err := apiID(r)
	if err == nil {
		// Entry reads digests too: POST /api/v1/digests/run answers
		// with a digest's id, which reads back here with its kind.
		var e campaigns.Entry
		if e, err = s.Campaigns.Entry(r.Context(), id); err == nil {
			writeJSON(w, http.StatusOK, answerOf(e.Campaign, e.Kind))
			return
		}
	}
	writeError(w, r, s.Log, err)
}

func (s *Server) testCampaign(w http.ResponseWriter, r *http.Request) {
	id, err := apiID(r)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	var body struct {
		To []string `json:"to"`
	}
	if err := decodeJSON(r, &body); err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	// The addresses are checked first as the admin's test form checks
	// them, every one at fault named (checkTestAddresses): TestSend stops
	// at the first, and a script would learn of the others one call at a
	// time.
	if err = checkTestAddresses(body.To); err == nil {
		err = s.Campaigns.TestSend(r.Context(), id, body.To)
	}
	if bulletin.ErrorCode(err) == bulletin.EINVALID {
		// An unknown campaign is a 404 whatever the body, as on every
		// route; the addresses are looked at first.
		if _, gerr := s.Campaigns.Entry(r.Context(), id); gerr != nil {
			err = gerr
		}
	}
	if err != nil {
		if bulletin.ErrorCode(err) == bulletin.EINTERNAL {
			s.Log.Error("test send", "campaign", id, "err", err)
			err = bulletin.Errorf(bulletin.EINTERNAL, "The test could not be sent; see the server log.")
		}
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "sent", "to": body.To})
}

// campaignStep answers a lifecycle step with the campaign after it.
func (s *Server) campaignStep(step func(context.Context, int64) (*campaigns.Campaign, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := apiID(r)
		if err == nil {
			var c *campaigns.Campaign
			if c, err = step(r.Context(), id); err == nil {
				writeJSON(w, http.StatusOK, answerOf(c, ""))
				return
			}
		}
		writeError(w, r, s.Log, err)
	}
}

// patchCampaign changes the fields given of a draft or scheduled
// campaign.
func (s *Server) patchCampaign(w http.ResponseWriter, r *http.Request) {
	id, err := apiID(r)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	var p campaigns.Patch
	if body, err := decodeJSONBody(r, &p); err != nil {
		writeError(w, r, s.Log, s.campaignRest(r.Context(), body, err, id))
		return
	}
	c, err := s.Campaigns.Update(r.Context(), id, p)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, answerOf(c, ""))
}

// deleteCampaign deletes a draft or scheduled campaign.
func (s *Server) deleteCampaign(w http.ResponseWriter, r *http.Request) {
	id, err := apiID(r)
	if err == nil {
		err = s.Campaigns.Delete(r.Context(), id)
	}
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// duplicateCampaign makes a new draft from any campaign.
func (s *Server) duplicateCampaign(w http.ResponseWriter, r *http.Request) {
	id, err := apiID(r)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	c, err := s.Campaigns.Duplicate(r.Context(), id)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusCreated, answerOf(c, ""))
}

// campaignRest is err, the refusal of a campaign's body (POST, or the
// PATCH of campaign id) some members of which are at fault as JSON (a
// send_at that is no time), with what saving would refuse of the members
// that are not: the other fields, lists that do not exist, and a
// send_zone unknown given with that send_at. Without it a client learnt
// of those only once the time was right, one refusal a call. err is
// returned as it is when it names no member.
func (s *Server) campaignRest(ctx context.Context, body []byte, err error, id int64) error {
	fields := maps.Clone(bulletin.ErrorFields(err))
	var members map[string]json.RawMessage
	if bulletin.ErrorCode(err) != bulletin.EINVALID || len(fields) == 0 || json.Unmarshal(body, &members) != nil {
		return err
	}
	for name := range fields {
		delete(members, name)
	}
	rest, merr := json.Marshal(members)
	if merr != nil {
		return err
	}
	timeRefused := fields["send_at"] != ""
	var zone *string
	var cerr error
	if id == 0 {
		var c campaigns.Campaign
		if json.Unmarshal(rest, &c) != nil {
			return err
		}
		if timeRefused {
			given := c.SendZone
			zone, c.SendAt, c.SendZone = &given, nil, ""
		}
		cerr = s.Campaigns.Check(ctx, &c, "")
	} else {
		var p campaigns.Patch
		if json.Unmarshal(rest, &p) != nil {
			return err
		}
		if timeRefused {
			zone, p.SendAt, p.SendZone = p.SendZone, campaigns.OptionalTime{}, nil
		}
		cerr = s.Campaigns.CheckPatch(ctx, id, p)
	}
	more := bulletin.ErrorFields(cerr)
	if bulletin.ErrorCode(cerr) != bulletin.EINVALID {
		more = nil // a campaign gone or started is for the save to say
	}
	if zone != nil {
		// The zone of a time refused: refused only for a zone unknown.
		if why := campaigns.SendZoneProblem(*zone); why != "" {
			more = mapWith(more, "send_zone", why)
		}
	}
	for field, why := range more {
		if _, ok := fields[field]; !ok {
			fields[field] = why
		}
	}
	return bulletin.Invalid(fields)
}
