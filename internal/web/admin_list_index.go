package web

import (
	"net/http"

	"github.com/bulletinhq/bulletin/subscribers"
)

// listsPage shows every list with its schedule, and the new-list form.
func (s *Server) listsPage(w http.ResponseWriter, r *http.Request) {
	s.renderListForm(w, r, &listFormPage{List: subscribers.NewList(&subscribers.ListPatch{})}, nil)
}
