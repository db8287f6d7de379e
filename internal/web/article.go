package web

import (
	"net/http"
	"strconv"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

func (s *Server) listArticles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := articles.Filter{List: q.Get("list")}
	var err error
	if f.After, f.Limit, err = keyset(q.Get("after"), q.Get("limit")); err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	items, next, err := s.Articles.List(r.Context(), f)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, newPage(items, next))
}

func (s *Server) createArticle(w http.ResponseWriter, r *http.Request) {
	var a articles.Article
	if err := decodeJSON(r, &a); err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	created, err := s.Articles.Save(r.Context(), &a)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, createdStatus(created), a)
}

// keyset parses the after and limit query parameters of a collection.
func keyset(after, limit string) (int64, int, error) {
	var a int64
	var l int
	var err error
	if after != "" {
		if a, err = strconv.ParseInt(after, 10, 64); err != nil || a < 0 {
			return 0, 0, bulletin.Invalid(map[string]string{"after": "use the id from the previous page's next"})
		}
	}
	if limit != "" {
		if l, err = strconv.Atoi(limit); err != nil || l < 1 || l > 500 {
			return 0, 0, bulletin.Invalid(map[string]string{"limit": "use a number from 1 to 500"})
		}
	}
	return a, l, nil
}
