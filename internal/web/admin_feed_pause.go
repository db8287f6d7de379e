package web

import "net/http"

// pauseFeedForm pauses a feed: it is not polled until resumed.
func (s *Server) pauseFeedForm(w http.ResponseWriter, r *http.Request) {
	s.setFeedActive(w, r, false, "feed-paused")
}

// resumeFeedForm resumes a paused feed and polls it at once, as a new
// feed is, so the feeds page shows a fresh status.
func (s *Server) resumeFeedForm(w http.ResponseWriter, r *http.Request) {
	s.setFeedActive(w, r, true, "feed-resumed")
}

func (s *Server) setFeedActive(w http.ResponseWriter, r *http.Request, active bool, flash string) {
	id := feedID(r)
	if id == 0 {
		http.NotFound(w, r)
		return
	}
	fd, err := s.Feeds.SetActive(r.Context(), id, active)
	if err != nil {
		s.adminFailed(w, r, err)
		return
	}
	if active && fd.LastError != "" {
		flash = "feed-resume-failed"
	}
	http.Redirect(w, r, flashURL("/admin/feeds", flash), http.StatusSeeOther)
}
