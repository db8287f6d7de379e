package web

import (
	"net/http"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// A teamPage lists the admins and pending invites, with the invite form
// and the form to change one's own password.
type teamPage struct {
	adminPage
	Admins      []admins.Admin
	Invites     []admins.Invite
	Me          int64             // the logged-in admin
	MyEmail     string            // for password managers on the change form
	InviteEmail string            // the invite form's value
	Errors      map[string]string // by field: email, current, password, password2, cancel
	Refused     string            // the summary over a form refused for its fields
	// MinLen and PasswordHint are the new password's limits (passwordHint).
	MinLen       int
	PasswordHint string
}

// teamPage shows the team.
func (s *Server) teamPage(w http.ResponseWriter, r *http.Request) {
	s.renderTeam(w, r, http.StatusOK, &teamPage{})
}

// renderTeam shows p with the stored admins and invites.
func (s *Server) renderTeam(w http.ResponseWriter, r *http.Request, status int, p *teamPage) {
	var err error
	if p.Admins, err = s.Admins.ListAdmins(r.Context()); err != nil {
		s.adminError(w, r, err)
		return
	}
	if p.Invites, err = s.Admins.PendingInvites(r.Context()); err != nil {
		s.adminError(w, r, err)
		return
	}
	sess := sessionFrom(r.Context())
	p.Me, p.MyEmail = sess.AdminID, sess.Email
	p.MinLen, p.PasswordHint = admins.MinPasswordLen, passwordHint
	if len(p.Errors) > 0 {
		p.Refused = refusedForm
	}
	s.renderAdmin(w, r, status, "admin_team", p)
}

// teamStatus is the status of the team page shown again for an error of
// each code; other codes are internal.
var teamStatus = map[string]int{
	bulletin.EINVALID:      http.StatusUnprocessableEntity,
	bulletin.EUNAUTHORIZED: http.StatusUnprocessableEntity,
	bulletin.ECONFLICT:     http.StatusConflict,
	bulletin.ENOTFOUND:     http.StatusNotFound,
	bulletin.ERATELIMITED:  http.StatusTooManyRequests,
}

// teamFormError shows the team page with err next to field: 422 for a bad
// value, 409 for a conflict, 429 for a locked-out address. Other errors
// are internal.
func (s *Server) teamFormError(w http.ResponseWriter, r *http.Request, p *teamPage, field string, err error) {
	status, ok := teamStatus[bulletin.ErrorCode(err)]
	if !ok {
		s.adminError(w, r, err)
		return
	}
	p.Errors = map[string]string{field: bulletin.ErrorMessage(err)}
	s.renderTeam(w, r, status, p)
}
