package web

import (
	"net/http"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/subscribers"
)

// createListForm takes the new-list form and opens the new list's page. A
// slug left empty is made from the name; a refused form shows it empty
// again, for it to be made from the name as it is when next sent, which
// the name's error may well change.
func (s *Server) createListForm(w http.ResponseWriter, r *http.Request) {
	p := listPatchFromForm(r)
	leftEmpty := p.MakeSlug()
	l := subscribers.NewList(p)
	err := s.Subscribers.CreateList(r.Context(), l, welcomeRenders)
	if err == nil {
		s.redirectWithFlash(w, r, "/admin/lists/"+l.Slug, "list-created")
		return
	}
	page := &listFormPage{List: l}
	if leftEmpty {
		page.SlugLeftEmpty, page.MadeSlug = true, l.Slug
		typed := *l
		typed.Slug = ""
		page.List = &typed
		// The slug made from the name is another list's: a fault of the
		// field, which is empty, for the editor to type one.
		if bulletin.ErrorCode(err) == bulletin.ECONFLICT {
			err = bulletin.Invalid(map[string]string{"slug": subscribers.SlugTaken})
		}
	}
	s.renderListForm(w, r, page, err)
}
