package web

import (
	"net/http"
	"strconv"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// campaignDeletePage asks before a draft, a scheduled campaign or one
// cancelled before it started sending is deleted.
type campaignDeletePage struct {
	adminPage
	C *campaigns.Campaign
	// Scheduled is when a scheduled campaign would go out, as its page
	// says it; a cancelled one keeps its send time, but it was never going
	// to go out then, so it has none.
	Scheduled string
}

func (s *Server) deleteCampaignPage(w http.ResponseWriter, r *http.Request) {
	e, ok := s.adminCampaign(w, r)
	if !ok {
		return
	}
	if e.Kind != "campaign" {
		s.renderCampaign(w, r, http.StatusConflict, bulletin.ErrorMessage(campaigns.DigestConflict(e.ID, "deleted")))
		return
	}
	if !e.Deletable() {
		s.renderCampaign(w, r, http.StatusConflict, bulletin.ErrorMessage(campaigns.NotDeletable(e.Campaign)))
		return
	}
	p := &campaignDeletePage{C: e.Campaign}
	if e.Status == campaigns.StatusScheduled && e.SendAt != nil {
		lists, err := s.listIndex(r.Context())
		if err != nil {
			s.adminError(w, r, err)
			return
		}
		p.Scheduled = scheduledAt(*e.SendAt, e.SendLocation(lists.zone(e.Lists)))
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_campaign_delete", p)
}

func (s *Server) deleteCampaignForm(w http.ResponseWriter, r *http.Request) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	err = s.Campaigns.Delete(r.Context(), id)
	switch bulletin.ErrorCode(err) {
	case "":
		s.redirectWithFlash(w, r, "/admin/campaigns", "campaign-deleted")
	case bulletin.ECONFLICT:
		s.renderCampaign(w, r, http.StatusConflict, bulletin.ErrorMessage(err))
	default:
		s.adminFailed(w, r, err)
	}
}

// duplicateCampaignForm makes a new draft from the campaign and shows it.
func (s *Server) duplicateCampaignForm(w http.ResponseWriter, r *http.Request) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	c, err := s.Campaigns.Duplicate(r.Context(), id)
	switch bulletin.ErrorCode(err) {
	case "":
		s.redirectWithFlash(w, r, "/admin/campaigns/"+strconv.FormatInt(c.ID, 10), "campaign-duplicated")
	case bulletin.EINVALID, bulletin.ECONFLICT:
		msg, _ := campaignError("It could not be duplicated: ", refusedForm, err)
		s.renderCampaign(w, r, statusOf[bulletin.ErrorCode(err)], msg)
	default:
		s.adminFailed(w, r, err)
	}
}
