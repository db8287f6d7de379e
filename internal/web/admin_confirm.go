package web

import "net/http"

// A confirmPage asks for a ticked box before a destructive action: the
// admin's CSP runs no inline script, so no confirm() dialog.
type confirmPage struct {
	adminPage
	Title  string // also the heading
	Back   string // the page to go back to
	Text   string // what the action does
	Action string // where the form posts
	Box    string // the checkbox's label
	Button string
	Error  string
}

// renderConfirm shows p; Error set means a refused post.
func (s *Server) renderConfirm(w http.ResponseWriter, r *http.Request, status int, p *confirmPage) {
	s.renderAdmin(w, r, status, "admin_confirm", p)
}
