package web

import (
	"net/http"

	"github.com/bulletinhq/bulletin/internal/admins"
)

// An invitedPage shows a new invite's link, the one time it can be shown:
// only a hash of its token is stored.
type invitedPage struct {
	adminPage
	Invite *admins.Invite
	Link   string
}

// createInviteForm makes an invite for the form's email and shows its link.
func (s *Server) createInviteForm(w http.ResponseWriter, r *http.Request) {
	email := r.PostForm.Get("email")
	inv, err := s.Admins.CreateInvite(r.Context(), sessionFrom(r.Context()).AdminID, email)
	if err != nil {
		s.teamFormError(w, r, &teamPage{InviteEmail: email}, "email", err)
		return
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_team_invited", &invitedPage{Invite: inv, Link: s.publicURL(r) + "/admin/invite/" + inv.Token})
}

// publicURL is the base of links given out: the public URL of the
// settings, BASE_URL, or the address the request came to when none is set.
func (s *Server) publicURL(r *http.Request) string {
	if s.Settings != nil {
		if p, err := s.Settings.Publication(r.Context()); err == nil && p.PublicURL != "" {
			return p.PublicURL
		}
	}
	if s.BaseURL != "" {
		return s.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
