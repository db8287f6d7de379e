package web

import "net/http"

// listPage shows one list's edit form and its delete form. A welcome text
// stored before texts were checked that does not render is marked on its
// field at once: the list is saved again only with it fixed or emptied.
func (s *Server) listPage(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	l, err := s.Subscribers.ListBySlug(r.Context(), slug)
	if err != nil {
		s.renderListForm(w, r, &listFormPage{Slug: slug}, err)
		return
	}
	p := &listFormPage{List: l, Slug: slug, Name: l.Name}
	if l.Welcome != "" {
		if err := welcomeRenders(l.Welcome); err != nil {
			p.Errors = map[string]string{"welcome": "this welcome mail does not render, so readers who confirm get none; fix it or empty it: " + err.Error()}
		}
	}
	s.renderListForm(w, r, p, nil)
}
