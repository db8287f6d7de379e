package web

import (
	"net/http"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// cancelInviteForm makes a pending invite's link stop working, once its
// box is ticked.
func (s *Server) cancelInviteForm(w http.ResponseWriter, r *http.Request) {
	if r.PostForm.Get("confirm") != "yes" {
		s.teamFormError(w, r, &teamPage{}, "cancel", bulletin.Errorf(bulletin.EINVALID, "Tick the box beside an invite to cancel it."))
		return
	}
	id, _ := parseID(r.PathValue("id"))
	if err := s.Admins.CancelInvite(r.Context(), id); err != nil {
		s.teamFormError(w, r, &teamPage{}, "cancel", err)
		return
	}
	s.redirectWithFlash(w, r, "/admin/team", "invite-cancelled")
}
