package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// newArticlePage shows the empty article form, dated now; ?list= ticks
// that list, as the Articles page's filter passes it on.
func (s *Server) newArticlePage(w http.ResponseWriter, r *http.Request) {
	f := &articleForm{}
	if l := r.URL.Query().Get("list"); l != "" {
		f.Lists = []string{l}
	}
	lists, err := s.listIndex(r.Context())
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	loc := lists.articleZone(f.Lists)
	f.PublishedAt, f.Zone = time.Now().In(loc).Format(formTime), loc.String()
	s.renderArticleForm(w, r, &articleFormPage{Form: f}, nil)
}

// createArticleForm stores the new article and opens it, or shows the
// form again with what was typed and why it was refused. The article is
// checked as the API's POST checks it; unlike that POST, a URL another
// article has is refused rather than taken as an update of it, so a new
// article's form never overwrites one already stored.
func (s *Server) createArticleForm(w http.ResponseWriter, r *http.Request) {
	f := articleFormFrom(r)
	p, err := f.patch()
	if err == nil {
		err = f.article().Validate()
	}
	if err != nil {
		// A URL another article has is named with the other faults.
		err = s.Articles.WithURLTaken(r.Context(), err, f.URL, 0)
	}
	var a *articles.Article
	if err == nil {
		a, err = s.Articles.Create(r.Context(), p)
	}
	if err != nil {
		s.renderArticleForm(w, r, &articleFormPage{Form: f}, err)
		return
	}
	s.redirectWithFlash(w, r, "/admin/articles/"+strconv.FormatInt(a.ID, 10), "saved")
}
