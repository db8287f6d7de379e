package web

import (
	"net/http"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// deleteListForm deletes a list once its form's box is ticked; while a
// campaign is sending to the list it shows why not (409). The path's
// slug names its list in any case (storedSlug).
func (s *Server) deleteListForm(w http.ResponseWriter, r *http.Request) {
	slug, err := s.storedSlug(r)
	if err != nil {
		s.renderListForm(w, r, &listFormPage{Slug: r.PathValue("slug")}, err)
		return
	}
	err = bulletin.Invalid(map[string]string{"confirm": "Tick the box to confirm that the list and its subscriptions go for good."})
	if r.PostForm.Get("confirm") == "yes" {
		if err = s.Subscribers.DeleteList(r.Context(), slug); err == nil {
			s.redirectWithFlash(w, r, "/admin/lists", "list-deleted")
			return
		}
	}
	l, lerr := s.Subscribers.ListBySlug(r.Context(), slug)
	if lerr != nil {
		s.renderListForm(w, r, &listFormPage{Slug: slug}, lerr)
		return
	}
	s.renderListForm(w, r, &listFormPage{List: l, Slug: slug, Name: l.Name}, err)
}
