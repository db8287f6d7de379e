package web

import "net/http"

// pauseFeedForm pauses a feed: it is not polled until resumed.
func (s *Server) pauseFeedForm(w http.ResponseWriter, r *http.Request) {
	s.setFeedActive(w, r, false, "feed-paused")
}

// resumeFeedForm resumes a paused feed.
func (s *Server) resumeFeedForm(w http.ResponseWriter, r *http.Request) {
	s.setFeedActive(w, r, true, "feed-resumed")
}

func (s *Server) setFeedActive(w http.ResponseWriter, r *http.Request, active bool, flash string) {
	id := feedID(r)
	if id == 0 {
		http.NotFound(w, r)
		return
	}
	if _, err := s.Feeds.SetActive(r.Context(), id, active); err != nil {
		s.adminFailed(w, r, err)
		return
	}
	http.Redirect(w, r, flashURL("/admin/feeds", flash), http.StatusSeeOther)
}
