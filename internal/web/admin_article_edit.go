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
	lists, err := s.listIndex(r.Context())
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	page := &articleFormPage{ID: id, Title: a.Title, Form: articleFormOf(a, lists.articleZone(a.Lists))}
	if page.Form.Zone != "UTC" {
		page.UTC = clock(a.PublishedAt)
	}
	s.renderArticleForm(w, r, page, nil)
}
