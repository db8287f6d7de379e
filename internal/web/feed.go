package web

import (
	"context"
	"net/http"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// A FeedAdder stores a feed of a list and polls it once.
type FeedAdder interface {
	Add(ctx context.Context, url, list string) (*articles.Feed, bool, error)
}

var _ FeedAdder = (*articles.Feeds)(nil)

// addFeed answers 201 with a new feed, or 200 with the feed of that URL
// and list that was there already; either way it has just been polled.
// A URL on a loopback or private address is a 422 unless private feeds
// are allowed.
func (s *Server) addFeed(w http.ResponseWriter, r *http.Request) {
	var in struct {
		URL  string `json:"url"`
		List string `json:"list"`
	}
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	fd, created, err := s.Feeds.Add(r.Context(), in.URL, in.List)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, createdStatus(created), fd)
}
