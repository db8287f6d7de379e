package web

import (
	"net/http"
	"strings"

	"github.com/bulletinhq/bulletin/subscribers"
)

// createListForm takes the new-list form and opens the new list's page. A
// slug left empty is made from the name.
func (s *Server) createListForm(w http.ResponseWriter, r *http.Request) {
	p := listPatchFromForm(r)
	if strings.TrimSpace(*p.Slug) == "" {
		slug := subscribers.SlugFor(*p.Name)
		p.Slug = &slug
	}
	l := subscribers.NewList(p)
	if err := s.Subscribers.CreateList(r.Context(), l, welcomeRenders); err != nil {
		s.renderListForm(w, r, &listFormPage{List: l}, err)
		return
	}
	http.Redirect(w, r, flashURL("/admin/lists/"+l.Slug, "list-created"), http.StatusSeeOther)
}
