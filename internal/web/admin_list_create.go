package web

import (
	"net/http"

	"github.com/bulletinhq/bulletin/subscribers"
)

// createListForm takes the new-list form and opens the new list's page.
func (s *Server) createListForm(w http.ResponseWriter, r *http.Request) {
	l := subscribers.NewList(listPatchFromForm(r))
	if err := s.Subscribers.CreateList(r.Context(), l, welcomeRenders); err != nil {
		s.renderListForm(w, r, &listFormPage{List: l}, err)
		return
	}
	http.Redirect(w, r, flashURL("/admin/lists/"+l.Slug, "list-created"), http.StatusSeeOther)
}
