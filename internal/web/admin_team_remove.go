package web

import (
	"net/http"
	"strconv"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// removeAdminPage asks to confirm removing an admin.
func (s *Server) removeAdminPage(w http.ResponseWriter, r *http.Request) {
	a, ok := s.adminOf(w, r)
	if ok {
		s.renderConfirm(w, r, http.StatusOK, removeAdminConfirm(r, a))
	}
}

// removeAdminForm removes an admin once the box is ticked, ending its
// sessions; the last admin stays (409).
func (s *Server) removeAdminForm(w http.ResponseWriter, r *http.Request) {
	a, ok := s.adminOf(w, r)
	if !ok {
		return
	}
	p := removeAdminConfirm(r, a)
	if r.PostForm.Get("confirm") != "yes" {
		p.Error = "Tick the box to confirm."
		s.renderConfirm(w, r, http.StatusUnprocessableEntity, p)
		return
	}
	_, err := s.Admins.DeleteAdmin(r.Context(), a.Email)
	switch bulletin.ErrorCode(err) {
	case "":
	case bulletin.ECONFLICT:
		p.Error = bulletin.ErrorMessage(err)
		s.renderConfirm(w, r, http.StatusConflict, p)
		return
	case bulletin.ENOTFOUND:
		http.NotFound(w, r)
		return
	default:
		s.adminError(w, r, err)
		return
	}
	if a.ID == sessionFrom(r.Context()).AdminID {
		http.Redirect(w, r, "/admin/login", http.StatusSeeOther) // removed oneself: the session went with it
		return
	}
	s.redirectWithFlash(w, r, "/admin/team", "admin-removed")
}

func removeAdminConfirm(r *http.Request, a *admins.Admin) *confirmPage {
	p := &confirmPage{
		Title:  "Remove " + a.Email,
		Back:   "/admin/team",
		Text:   a.Email + " will no longer be able to log in" + sessionsEnding(a.Sessions) + ". What they made stays.",
		Action: r.URL.Path,
		Box:    "Yes, remove " + a.Email,
		Button: "Remove admin",
	}
	if a.ID == sessionFrom(r.Context()).AdminID {
		p.Text = "This is you: removing yourself logs you out for good. " + p.Text
	}
	return p
}

// adminOf returns the admin named by the path's id, answering 404 itself
// when there is none.
func (s *Server) adminOf(w http.ResponseWriter, r *http.Request) (*admins.Admin, bool) {
	list, err := s.Admins.ListAdmins(r.Context())
	return byPathID(s, w, r, list, err, func(a *admins.Admin) int64 { return a.ID })
}

// byPathID returns the item of list whose id is the path's, answering
// the error or a 404 itself when there is none.
func byPathID[T any](s *Server, w http.ResponseWriter, r *http.Request, list []T, err error, idOf func(*T) int64) (*T, bool) {
	if err != nil {
		s.adminError(w, r, err)
		return nil, false
	}
	id, _ := parseID(r.PathValue("id"))
	for i := range list {
		if idOf(&list[i]) == id {
			return &list[i], true
		}
	}
	http.NotFound(w, r)
	return nil, false
}

// sessionsEnding says what a removal does to n live sessions.
func sessionsEnding(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return ", and their open session ends now"
	}
	return ", and their " + strconv.Itoa(n) + " open sessions end now"
}
