package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// keepSizeWithImage leaves the image's size out of p when the form gives a
// new image URL but the size boxes as they were filled in: the form sends
// every field, so those are the old image's size, and a new image without
// a size of its own has none (articles.Patch), rather than the old one's,
// which would stretch or squash it in digests.
func keepSizeWithImage(p *articles.Patch, f *articleForm, stored *articles.Article) {
	if strings.TrimSpace(f.ImageURL) != stored.ImageURL &&
		f.ImageWidth == formPixels(stored.ImageWidth) && f.ImageHeight == formPixels(stored.ImageHeight) {
		p.ImageWidth, p.ImageHeight = nil, nil
	}
}

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
	if err != nil {
		// A date refused: a URL another article has is named with it
		// (Update names it with the faults it finds itself).
		if stored, gerr := s.Articles.Get(r.Context(), id); gerr == nil && articles.ArticleURL(strings.TrimSpace(f.URL)) != stored.URL {
			err = s.Articles.WithURLTaken(r.Context(), err, f.URL, id)
		}
	} else {
		if stored, gerr := s.Articles.Get(r.Context(), id); gerr == nil {
			keepSizeWithImage(p, f, stored)
		}
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
	s.redirectWithFlash(w, r, "/admin/articles/"+strconv.FormatInt(id, 10), "saved")
}
