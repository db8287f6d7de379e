package web

import (
	"net/http"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// An articleDeletePage asks to confirm that an article goes.
type articleDeletePage struct {
	adminPage
	Article *articles.Article
}

// deleteArticlePage asks the admin to confirm the delete: the page's form
// is the confirmation.
func (s *Server) deleteArticlePage(w http.ResponseWriter, r *http.Request) {
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
	s.renderAdmin(w, r, http.StatusOK, "admin_article_delete", &articleDeletePage{Article: a})
}

// deleteArticleForm deletes the article; sent digests keep their copy.
func (s *Server) deleteArticleForm(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if err := s.Articles.Delete(r.Context(), id); err != nil {
		s.adminFailed(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, "/admin/articles", "article-deleted")
}
