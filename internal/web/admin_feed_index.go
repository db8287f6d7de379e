package web

import (
	"net/http"
	"strconv"
)

// feedsPage shows the feeds, oldest first, a page at a time (?after=),
// with the add-feed form; right after the form added a feed, whether its
// list sends a digest.
func (s *Server) feedsPage(w http.ResponseWriter, r *http.Request) {
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	s.renderFeeds(w, r, max(after, 0), &feedsPage{added: s.takeAdded(w, r)}, nil)
}
