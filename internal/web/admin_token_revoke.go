package web

import (
	"net/http"
	"strconv"

	"github.com/bulletinhq/bulletin/internal/admins"
)

// revokeTokenPage asks to confirm revoking an API token.
func (s *Server) revokeTokenPage(w http.ResponseWriter, r *http.Request) {
	if t, ok := s.tokenOf(w, r); ok {
		s.renderConfirm(w, r, http.StatusOK, revokeTokenConfirm(r, t))
	}
}

// revokeTokenForm revokes the token once the box is ticked: from then on
// the API answers its holder 401.
func (s *Server) revokeTokenForm(w http.ResponseWriter, r *http.Request) {
	t, ok := s.tokenOf(w, r)
	if !ok {
		return
	}
	if r.PostForm.Get("confirm") != "yes" {
		p := revokeTokenConfirm(r, t)
		p.Error = "Tick the box to confirm."
		s.renderConfirm(w, r, http.StatusUnprocessableEntity, p)
		return
	}
	if err := s.Admins.RevokeTokenID(r.Context(), t.ID); err != nil {
		s.adminFailed(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, "/admin/tokens", "token-revoked")
}

// revokeTokenConfirm names the token with its number and creation time
// too, as the list does, so that it is the one meant.
func revokeTokenConfirm(r *http.Request, t *admins.Token) *confirmPage {
	return &confirmPage{
		Title: "Revoke the token “" + t.Name + "” (#" + strconv.FormatInt(t.ID, 10) + ")",
		Back:  "/admin/tokens",
		Text: "It was created on " + t.CreatedAt.UTC().Format("2 January 2006, 15:04 UTC") + ". " +
			"Programs that use this token get 401 from the API from now on. This cannot be undone: they need a new token.",
		Action: r.URL.Path,
		Box:    "Yes, revoke “" + t.Name + "”",
		Button: "Revoke token",
	}
}
