package web

import (
	"crypto/subtle"
	"net/http"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// changePasswordForm sets the logged-in admin's password, given the
// current one, and ends the admin's other sessions; this one stays.
func (s *Server) changePasswordForm(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	if !typedTwice(f.Get("password"), f.Get("password2")) {
		s.teamFormError(w, r, &teamPage{}, "password2", bulletin.Errorf(bulletin.EINVALID, "The new passwords do not match: type the same one twice."))
		return
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil { // requireAdmin saw it; only a race gets here
		http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
		return
	}
	_, err = s.Admins.ChangePassword(r.Context(), clientIP(r), sessionFrom(r.Context()).AdminID, c.Value, f.Get("current"), f.Get("password"))
	switch bulletin.ErrorCode(err) {
	case "":
		s.redirectWithFlash(w, r, "/admin/team", "password-changed")
	case bulletin.EINVALID:
		s.teamFormError(w, r, &teamPage{}, "password", err)
	default:
		s.teamFormError(w, r, &teamPage{}, "current", err)
	}
}

// typedTwice says the two copies of a new password match; compared in
// constant time, as every secret is.
func typedTwice(password, again string) bool {
	return subtle.ConstantTimeCompare([]byte(password), []byte(again)) == 1
}
