package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// newArticlePage shows the empty article form, dated now; ?list= ticks
// that list, as the Articles page's filter passes it on.
func (s *Server) newArticlePage(w http.ResponseWriter, r *http.Request) {
	f := &articleForm{PublishedAt: time.Now().UTC().Format(formTime)}
	if l := r.URL.Query().Get("list"); l != "" {
		f.Lists = []string{l}
	}
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
		err = (&articles.Article{Title: f.Title, URL: f.URL, Summary: f.Summary, Body: f.Body, Author: f.Author,
			ImageURL: f.ImageURL, ImageAlt: f.ImageAlt}).Validate()
	}
	if err == nil {
		err = s.articleURLFree(r.Context(), f.URL)
	}
	var a *articles.Article
	if err == nil {
		a, _, err = s.Articles.Put(r.Context(), p)
	}
	if err != nil {
		s.renderArticleForm(w, r, &articleFormPage{Form: f}, err)
		return
	}
	http.Redirect(w, r, flashURL("/admin/articles/"+strconv.FormatInt(a.ID, 10), "saved"), http.StatusSeeOther)
}

// articleURLFree answers a conflict when an article has rawURL already,
// as an edit to another article's URL does.
func (s *Server) articleURLFree(ctx context.Context, rawURL string) error {
	u := strings.TrimSpace(rawURL)
	found, _, err := s.Articles.Search(ctx, articles.Search{Q: u, Limit: 500})
	if err != nil {
		return err
	}
	for _, a := range found {
		if a.URL == u {
			return &bulletin.Error{Code: bulletin.ECONFLICT, Message: "Another article has this URL: nothing was saved.",
				Fields: map[string]string{"url": fmt.Sprintf("article %d has this URL already: one URL is one article; edit that one instead", a.ID)}}
		}
	}
	return nil
}
