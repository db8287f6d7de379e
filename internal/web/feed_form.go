package web

import (
	"net/http"
	"strings"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/subscribers"
)

// A feedForm is the admin's add-feed form; the API's JSON has the same
// two fields.
type feedForm struct {
	URL, List string
}

// feedFormFrom reads the add-feed form.
func feedFormFrom(r *http.Request) feedForm {
	return feedForm{URL: strings.TrimSpace(r.PostForm.Get("url")), List: r.PostForm.Get("list")}
}

// A feedsPage is the feeds page: every feed with its last poll, and the
// add-feed form.
type feedsPage struct {
	adminPage
	Feeds  []*articles.Feed
	Next   int64 // the after of the next page, 0 on the last
	Lists  []*subscribers.List
	Form   feedForm
	Errors map[string]string // by field
	Error  string
}

// renderFeeds shows the feeds page from after on, with err explained: a
// bad field next to it (422), anything else as a 500.
func (s *Server) renderFeeds(w http.ResponseWriter, r *http.Request, after int64, p *feedsPage, err error) {
	feeds, next, ferr := s.Feeds.List(r.Context(), after, 0)
	if ferr != nil {
		s.adminError(w, r, ferr)
		return
	}
	lists, lerr := s.Subscribers.Lists(r.Context())
	if lerr != nil {
		s.adminError(w, r, lerr)
		return
	}
	p.Feeds, p.Next, p.Lists = feeds, next, lists
	status := http.StatusOK
	switch bulletin.ErrorCode(err) {
	case "":
	case bulletin.EINVALID:
		status, p.Errors, p.Error = http.StatusUnprocessableEntity, bulletin.ErrorFields(err), "The feed was not added: fix the fields marked below."
	default:
		s.adminError(w, r, err)
		return
	}
	s.renderAdmin(w, r, status, "admin_feeds", p)
}
