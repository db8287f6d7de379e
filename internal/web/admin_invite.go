package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// inviteCSRFCookie holds the invite form's CSRF token (double submit, as
// the login form's, see preSessionCSRF): the invite page has no session
// to keep one in. Its path covers every invite link.
const (
	inviteCSRFCookie = "bulletin_invite_csrf"
	inviteCSRFPath   = "/admin/invite"
)

// An invitePage is where an invited person chooses a password, or learns
// why the link does not work (Error, no form).
type invitePage struct {
	adminPage
	Invite     *admins.Invite
	Token      string
	InviteCSRF string
	MinLen     int
	// PasswordHint says the password's limits (passwordHint).
	PasswordHint string
	Errors       map[string]string
	Error        string
}

// invitePage shows the invite's password form. It is outside requireAdmin:
// it is how a new admin gets in. Unknown tokens count against the address
// like wrong passwords at login.
func (s *Server) invitePage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	inv, err := s.Admins.CheckInvite(r.Context(), clientIP(r), token)
	if err != nil {
		s.inviteError(w, r, err)
		return
	}
	s.renderInvite(w, r, http.StatusOK, &invitePage{Invite: inv, Token: token})
}

// acceptInviteForm creates the invited admin with the chosen password and
// logs them in.
func (s *Server) acceptInviteForm(w http.ResponseWriter, r *http.Request) {
	if !s.readPreSessionForm(w, r, "/admin/invite/"+url.PathEscape(r.PathValue("token"))) {
		return
	}
	if reason := checkPreSessionCSRF(r, inviteCSRFCookie, time.Now()); reason != "" {
		s.refuseInvite(w, r, reason)
		return
	}
	token, password := r.PathValue("token"), r.PostForm.Get("password")
	if !typedTwice(password, r.PostForm.Get("password2")) {
		inv, err := s.Admins.CheckInvite(r.Context(), clientIP(r), token)
		if err != nil {
			s.inviteError(w, r, err)
			return
		}
		p := &invitePage{Invite: inv, Token: token, Errors: map[string]string{"password2": "The passwords do not match: type the same one twice."}}
		s.renderInvite(w, r, http.StatusUnprocessableEntity, p)
		return
	}
	secret, _, err := s.Admins.AcceptInvite(r.Context(), clientIP(r), token, password)
	if bulletin.ErrorCode(err) == bulletin.EINVALID {
		inv, cerr := s.Admins.CheckInvite(r.Context(), clientIP(r), token)
		if cerr != nil {
			s.inviteError(w, r, cerr)
			return
		}
		p := &invitePage{Invite: inv, Token: token, Errors: map[string]string{"password": bulletin.ErrorMessage(err)}}
		s.renderInvite(w, r, http.StatusUnprocessableEntity, p)
		return
	} else if err != nil {
		s.inviteError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true,
		Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode, MaxAge: int(admins.SessionTTL.Seconds())})
	s.rotatePreSessionCSRF(w, r, inviteCSRFCookie, inviteCSRFPath)
	s.redirectWithFlash(w, r, "/admin", "welcome")
}

// refuseInvite answers an invite form whose token was refused for
// reason. Most often it was sent again after it made the account and
// signed the browser in (Back, then the button), which ends the forms
// opened before: the browser signed in as the invite's address goes to
// the dashboard, as the first answer sent it. An invite used otherwise
// says so, "Nothing was saved" being untrue of it. Any other invite is
// told its form expired: the page it leads back to says what else is
// wrong with the link.
func (s *Server) refuseInvite(w http.ResponseWriter, r *http.Request, reason string) {
	token := r.PathValue("token")
	_, err := s.Admins.CheckInvite(r.Context(), clientIP(r), token)
	switch {
	case bulletin.ErrorCode(err) == bulletin.EINTERNAL:
		s.adminError(w, r, err)
	case errors.Is(err, admins.ErrInviteUsed):
		// The form's hidden email field names the invite's address: it
		// only chooses between two answers that change nothing.
		sess, serr := s.currentSession(r)
		if serr != nil {
			s.adminError(w, r, serr)
			return
		}
		if sess != nil && strings.EqualFold(strings.TrimSpace(r.PostForm.Get("email")), sess.Email) {
			http.Redirect(w, r, "/admin", http.StatusSeeOther)
			return
		}
		p := &formExpiredPage{Heading: "This invite was used", Back: "/admin/login", BackLabel: "Log in",
			Note: "This invite link was already used: its account was made then. Log in with the password chosen then, or ask an admin for a new invite."}
		if sess != nil {
			p.Back, p.BackLabel = "/admin", "Go on as "+sess.Email
			p.Note = "This invite link was already used: its account was made then. This browser is logged in as " + sess.Email +
				"; to use the invite's account, log out, then log in with the password chosen then."
		}
		s.renderAdmin(w, r, http.StatusConflict, "admin_form_expired", p)
	default:
		s.refusePreSession(w, r, "/admin/invite/"+url.PathEscape(token), "Back to the invite page", reason)
	}
}

// renderInvite shows the password form with the browser's CSRF token,
// the one it holds when it has one: a refused password leaves the form in
// another tab valid.
func (s *Server) renderInvite(w http.ResponseWriter, r *http.Request, status int, p *invitePage) {
	p.InviteCSRF = s.preSessionCSRF(w, r, inviteCSRFCookie, inviteCSRFPath)
	p.MinLen, p.PasswordHint = admins.MinPasswordLen, passwordHint
	s.renderAdmin(w, r, status, "admin_invite", p)
}

// inviteError explains a link that does not work (400), a locked-out
// address (429) or an invited address that became an admin meanwhile (409).
func (s *Server) inviteError(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, admins.ErrLocked):
		status = http.StatusTooManyRequests
		w.Header().Set("Retry-After", strconv.Itoa(int(admins.LockoutPeriod.Seconds())))
		err = bulletin.Errorf(bulletin.ERATELIMITED, "Too many wrong links or passwords came from your connection (its IP address). Try again in 15 minutes.")
	case bulletin.ErrorCode(err) == bulletin.ECONFLICT:
		status = http.StatusConflict
	case bulletin.ErrorCode(err) != bulletin.EBADREQUEST:
		s.adminError(w, r, err)
		return
	}
	s.renderAdmin(w, r, status, "admin_invite", &invitePage{Error: bulletin.ErrorMessage(err)})
}
