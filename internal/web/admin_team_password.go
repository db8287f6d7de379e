package web

import (
	"crypto/subtle"
	"net/http"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// changePasswordForm sets the logged-in admin's password, given the
// current one, and ends the admin's other sessions; this one stays. A
// refusal names every fault at once: a new password too short or typed
// differently twice is reported with a wrong current password, not only
// on the next try once the current one is right.
func (s *Server) changePasswordForm(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	c, err := r.Cookie(sessionCookie)
	if err != nil { // requireAdmin saw it; only a race gets here
		http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
		return
	}
	faults := map[string]string{}
	if err := admins.ValidPassword(f.Get("password")); err != nil {
		faults["password"] = bulletin.ErrorMessage(err)
	}
	if !typedTwice(f.Get("password"), f.Get("password2")) {
		faults["password2"] = "The new passwords do not match: type the same one twice."
	}
	id := sessionFrom(r.Context()).AdminID
	if len(faults) > 0 {
		// Nothing is changed; the current password is still checked (and
		// a wrong one counted, as in a change), for its fault to show too.
		err = s.Admins.CheckPassword(r.Context(), clientIP(r), id, f.Get("current"))
	} else {
		_, err = s.Admins.ChangePassword(r.Context(), clientIP(r), id, c.Value, f.Get("current"), f.Get("password"))
	}
	switch code := bulletin.ErrorCode(err); {
	case code == "" && len(faults) == 0:
		s.redirectWithFlash(w, r, "/admin/team", "password-changed")
	case code == "":
		s.passwordFormError(w, r, http.StatusUnprocessableEntity, faults)
	case code == bulletin.EINVALID: // the rules changed between the two checks
		faults["password"] = bulletin.ErrorMessage(err)
		s.passwordFormError(w, r, http.StatusUnprocessableEntity, faults)
	default:
		status, ok := teamStatus[code]
		if !ok {
			s.adminError(w, r, err)
			return
		}
		faults["current"] = bulletin.ErrorMessage(err)
		s.passwordFormError(w, r, status, faults)
	}
}

// passwordFormError shows the team page with the password form's faults.
func (s *Server) passwordFormError(w http.ResponseWriter, r *http.Request, status int, faults map[string]string) {
	s.renderTeam(w, r, status, &teamPage{Errors: faults})
}

// typedTwice says the two copies of a new password match; compared in
// constant time, as every secret is.
func typedTwice(password, again string) bool {
	return subtle.ConstantTimeCompare([]byte(password), []byte(again)) == 1
}
