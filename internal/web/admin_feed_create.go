package web

import "net/http"

// addFeedForm takes the add-feed form: the feed is stored and polled once,
// and the feeds page says whether that poll worked, and whether the
// feed's list sends a digest to mail its items (feedAddedCookie). A
// refused URL (a private address names BULLETIN_ALLOW_PRIVATE_FEEDS; a
// first poll that got a 404 or a web page says so) re-shows the form
// with the URL as typed.
func (s *Server) addFeedForm(w http.ResponseWriter, r *http.Request) {
	in := feedFormFrom(r)
	fd, created, err := s.Feeds.Add(r.Context(), in.URL, in.List, nil)
	if err != nil {
		s.renderFeeds(w, r, 0, &feedsPage{Form: in}, err)
		return
	}
	flash := "feed-added"
	switch {
	case fd.LastError != "":
		flash = "feed-failed"
	case !created:
		flash = "feed-known"
	}
	s.rememberAdded(w, r, fd.ID)
	s.redirectWithFlash(w, r, "/admin/feeds", flash)
}
