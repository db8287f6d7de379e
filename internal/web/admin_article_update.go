package web

import (
	"net/http"
	"strconv"
)

// updateArticleForm saves the edit form, or shows it again with what was
// typed and why it was refused.
func (s *Server) updateArticleForm(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	f := articleFormFrom(r)
	p, err := f.patch()
	if err == nil {
		_, err = s.Articles.Update(r.Context(), id, p)
	}
	if err != nil {
		page := &articleFormPage{ID: id, Title: f.Title, Form: f}
		if a, gerr := s.Articles.Get(r.Context(), id); gerr == nil {
			page.Title = a.Title // the heading names the article as stored
		}
		s.renderArticleForm(w, r, page, err)
		return
	}
	http.Redirect(w, r, flashURL("/admin/articles/"+strconv.FormatInt(id, 10), "saved"), http.StatusSeeOther)
}
