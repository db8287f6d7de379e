package web

import (
	"net/http"

	"github.com/bulletinhq/bulletin/subscribers"
)

// updateListForm saves the edit form; a new slug moves the list's page.
// The path's slug names its list in any case (storedSlug).
func (s *Server) updateListForm(w http.ResponseWriter, r *http.Request) {
	slug, err := s.storedSlug(r)
	if err != nil {
		s.renderListForm(w, r, &listFormPage{Slug: r.PathValue("slug")}, err)
		return
	}
	p := listPatchFromForm(r)
	l, err := s.Subscribers.UpdateList(r.Context(), slug, p, welcomeRenders)
	if err != nil {
		typed := &subscribers.List{}
		p.Apply(typed)
		page := &listFormPage{List: typed, Slug: slug, Name: typed.Name}
		// The heading names the list as stored: the form's name may be
		// the fault, emptied.
		if stored, serr := s.Subscribers.ListBySlug(r.Context(), slug); serr == nil {
			page.Name = stored.Name
		}
		s.renderListForm(w, r, page, err)
		return
	}
	s.redirectWithFlash(w, r, "/admin/lists/"+l.Slug, "saved")
}
