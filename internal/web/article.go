package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

func (s *Server) listArticles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := articles.Filter{List: q.Get("list")}
	var err error
	f.List, err = s.listFilter(r.Context(), f.List)
	if err == nil {
		f.After, f.Limit, err = keyset(q.Get("after"), q.Get("limit"))
	}
	if err != nil {
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

// createArticle stores the article of the posted URL: 201 with a new
// one, or 200 with the stored one after the fields given changed (an
// absent field is not a blank one; lists are added, but not one an
// editor took the article off: a CMS posting at every save would undo
// the editor. patchArticle with lists puts it back).
func (s *Server) createArticle(w http.ResponseWriter, r *http.Request) {
	var p articles.Patch
	if body, err := decodeJSONBody(r, &p); err != nil {
		writeError(w, r, s.Log, s.articleRest(r.Context(), body, err, 0))
		return
	}
	a, created, err := s.Articles.Put(r.Context(), &p)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, createdStatus(created), a)
}

// getArticle answers one article as a POST or PATCH of it does.
func (s *Server) getArticle(w http.ResponseWriter, r *http.Request) {
	id, err := apiID(r)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	a, err := s.Articles.Get(r.Context(), id)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// patchArticle changes the fields given of one article; lists, when
// given, are its whole membership.
func (s *Server) patchArticle(w http.ResponseWriter, r *http.Request) {
	id, err := apiID(r)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	var p articles.Patch
	if body, err := decodeJSONBody(r, &p); err != nil {
		writeError(w, r, s.Log, s.articleURLTaken(r, body, s.articleRest(r.Context(), body, err, id), id))
		return
	}
	a, err := s.Articles.Update(r.Context(), id, &p)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// deleteArticle answers 204; digests already built keep their copy.
func (s *Server) deleteArticle(w http.ResponseWriter, r *http.Request) {
	id, err := apiID(r)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	if err := s.Articles.Delete(r.Context(), id); err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// articleRoutes registers the article API's changes and the admin's
// article pages.
func (s *Server) articleRoutes() {
	s.mux.Handle("GET /api/v1/articles/{id}", s.requireToken(http.HandlerFunc(s.getArticle)))
	s.mux.Handle("PATCH /api/v1/articles/{id}", s.requireToken(http.HandlerFunc(s.patchArticle)))
	s.mux.Handle("DELETE /api/v1/articles/{id}", s.requireToken(http.HandlerFunc(s.deleteArticle)))
	s.adminHandle("GET /admin/articles/new", s.newArticlePage)
	s.adminHandle("POST /admin/articles", s.createArticleForm)
	s.adminHandle("GET /admin/articles/{id}", s.articlePage)
	s.adminHandle("POST /admin/articles/{id}", s.updateArticleForm)
	s.adminHandle("GET /admin/articles/{id}/delete", s.deleteArticlePage)
	s.adminHandle("POST /admin/articles/{id}/delete", s.deleteArticleForm)
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

// articleURLTaken is err, the refusal of the PATCH of article id some
// members of which are at fault as JSON (a date that does not exist),
// with the conflict of the url it gives, when another article has it:
// named in the same answer, as Update names it beside the fields it
// refuses itself.
func (s *Server) articleURLTaken(r *http.Request, body []byte, err error, id int64) error {
	var members struct {
		URL *string `json:"url"`
	}
	if json.Unmarshal(body, &members) != nil || members.URL == nil {
		return err
	}
	stored, gerr := s.Articles.Get(r.Context(), id)
	if gerr != nil || articles.ArticleURL(strings.TrimSpace(*members.URL)) == stored.URL {
		return err // an article gone is for the save to say
	}
	return s.Articles.WithURLTaken(r.Context(), err, *members.URL, id)
}

// articleRest is err, the refusal of an article's body (POST, or the
// PATCH of article id) some members of which are at fault as JSON (a
// date that does not exist, a member no article has), with what the
// save would refuse of the members that are not (Store.Check): a title
// left empty, a URL that is not http, lists that do not exist. Without
// it a client learnt of those one refusal a call. err is returned as it
// is when it names no member, and with only its own fields when the
// article is gone (the save's to say).
func (s *Server) articleRest(ctx context.Context, body []byte, err error, id int64) error {
	var p articles.Patch
	fields, ok := bodyRest(body, err, &p)
	if !ok {
		return err
	}
	return withFaults(fields, s.Articles.Check(ctx, id, &p), &p)
}
