package web

import (
	"net/http"
	"strconv"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// campaignAdminRoutes registers the campaign pages added to those of
// adminRoutes: edit, delete, duplicate and the send confirmation.
func (s *Server) campaignAdminRoutes() {
	s.adminHandle("GET /admin/campaigns/{id}/edit", s.editCampaignPage)
	s.adminHandle("POST /admin/campaigns/{id}/edit", s.updateCampaignForm)
	s.adminHandle("GET /admin/campaigns/{id}/delete", s.deleteCampaignPage)
	s.adminHandle("POST /admin/campaigns/{id}/delete", s.deleteCampaignForm)
	s.adminHandle("POST /admin/campaigns/{id}/duplicate", s.duplicateCampaignForm)
	s.adminHandle("GET /admin/campaigns/{id}/send", s.sendCampaignPage)
}

// editCampaignPage shows a draft or scheduled campaign in the form.
func (s *Server) editCampaignPage(w http.ResponseWriter, r *http.Request) {
	e, ok := s.adminCampaign(w, r)
	if !ok {
		return
	}
	if e.Kind != "campaign" {
		s.renderCampaign(w, r, http.StatusConflict, bulletin.ErrorMessage(campaigns.DigestConflict(e.ID, "edited")))
		return
	}
	if !editableStatus(e.Status) {
		s.renderCampaign(w, r, http.StatusConflict, bulletin.ErrorMessage(campaigns.NotEditable(e.Campaign, "edited")))
		return
	}
	f := &campaignForm{ID: e.ID, Subject: e.Subject, Preheader: e.Preheader, Body: e.Body, Audience: readers(e.Audience)}
	suppressed, err := s.Campaigns.SuppressedAudience(r.Context(), e.ID)
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	f.Suppressed, f.Confirmed = suppressed, e.Audience+suppressed
	if e.SendAt != nil {
		// The time shows in the zone it was scheduled in (else its lists'),
		// named, as its page says it.
		lists, err := s.listIndex(r.Context())
		if err != nil {
			s.adminError(w, r, err)
			return
		}
		loc := e.SendLocation(lists.zone(e.Lists))
		f.SendAt, f.Zone, f.Kept = e.SendAt.In(loc).Format(formTime), loc.String(), keptInstant(*e.SendAt)
	}
	s.renderCampaignForm(w, r, http.StatusOK, f, e.Lists)
}

// updateCampaignForm previews the edited campaign (the Preview button) or
// saves it and shows it.
func (s *Server) updateCampaignForm(w http.ResponseWriter, r *http.Request) {
	e, ok := s.adminCampaign(w, r)
	if !ok {
		return
	}
	lists, err := s.listIndex(r.Context())
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	f := &campaignForm{ID: e.ID}
	c, ok := readCampaignForm(r, f, lists)
	if !ok {
		s.renderCampaignForm(w, r, http.StatusUnprocessableEntity, f, c.Lists)
		return
	}
	if r.PostForm.Get("action") == "preview" {
		s.previewForm(w, r, f, c)
		return
	}
	slugs := c.Lists
	if slugs == nil {
		slugs = []string{}
	}
	p := campaigns.Patch{Subject: &c.Subject, Preheader: &c.Preheader, Body: &c.Body, Lists: &slugs,
		SendAt: campaigns.OptionalTime{Set: true, Time: c.SendAt}, SendZone: &c.SendZone}
	_, err = s.Campaigns.Update(r.Context(), e.ID, p)
	switch bulletin.ErrorCode(err) {
	case "":
		s.redirectWithFlash(w, r, "/admin/campaigns/"+strconv.FormatInt(e.ID, 10), savedFlash(c.SendAt))
	case bulletin.EINVALID:
		f.Errors, f.Message = bulletin.ErrorFields(err), refusal(err)
		s.renderCampaignForm(w, r, http.StatusUnprocessableEntity, f, c.Lists)
	case bulletin.ECONFLICT:
		s.renderCampaign(w, r, http.StatusConflict, bulletin.ErrorMessage(err))
	default:
		s.adminFailed(w, r, err)
	}
}
