package web

import "net/http"

// pauseFeedForm pauses a feed: it is not polled until resumed.
func (s *Server) pauseFeedForm(w http.ResponseWriter, r *http.Request) {
	s.setFeedActive(w, r, false, "feed-paused")
}

// resumeFeedForm resumes a paused feed and polls it at once, as a new
// feed is, so the feeds page shows a fresh status. It is also a failing
// feed's "Poll now": an active feed whose polls fail is polled at once,
// not when its back-off says (articles.Feeds.SetActive).
func (s *Server) resumeFeedForm(w http.ResponseWriter, r *http.Request) {
	if r.PostFormValue("poll") == "now" {
		s.setFeedActive(w, r, true, "feed-polled")
		return
	}
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
	switch {
	case !active || fd.LastError == "":
	case flash == "feed-polled":
		flash = "feed-poll-failed"
	default:
		flash = "feed-resume-failed"
	}
	s.redirectWithFlash(w, r, "/admin/feeds", flash)
}
