package web

import "net/http"

// listPage shows one list's edit form and its delete form.
func (s *Server) listPage(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	l, err := s.Subscribers.ListBySlug(r.Context(), slug)
	if err != nil {
		s.renderListForm(w, r, &listFormPage{Slug: slug}, err)
		return
	}
	s.renderListForm(w, r, &listFormPage{List: l, Slug: slug}, nil)
}
