package web

import "net/http"

// articlePage shows one article's edit form.
func (s *Server) articlePage(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	a, err := s.Articles.Get(r.Context(), id)
	if err != nil {
		s.adminFailed(w, r, err)
		return
	}
	s.renderArticleForm(w, r, &articleFormPage{ID: id, Title: a.Title, Form: articleFormOf(a)}, nil)
}
