package web

import (
	"net/http"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// A feedDeletePage asks to confirm that a feed goes.
type feedDeletePage struct {
	adminPage
	Feed *articles.Feed
}

// deleteFeedPage asks the admin to confirm the delete: the page's form
// is the confirmation.
func (s *Server) deleteFeedPage(w http.ResponseWriter, r *http.Request) {
	id := feedID(r)
	if id == 0 {
		http.NotFound(w, r)
		return
	}
	fd, err := s.Feeds.Get(r.Context(), id)
	if err != nil {
		s.adminFailed(w, r, err)
		return
	}
	s.renderAdmin(w, r, http.StatusOK, "admin_feed_delete", &feedDeletePage{Feed: fd})
}

// deleteFeedForm deletes the feed; the articles it brought stay.
func (s *Server) deleteFeedForm(w http.ResponseWriter, r *http.Request) {
	id := feedID(r)
	if id == 0 {
		http.NotFound(w, r)
		return
	}
	if err := s.Feeds.Delete(r.Context(), id); err != nil {
		s.adminFailed(w, r, err)
		return
	}
	s.redirectWithFlash(w, r, "/admin/feeds", "feed-deleted")
}
