package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// DigestDeps are what the digest, feed and archive routes need. Each area
// is left out when its dependency is nil.
type DigestDeps struct {
	Digests DigestRunner
	Feeds   FeedStore
	Archive Archiver
}

// A DigestRunner builds a list's digest now and starts sending it, or
// tells what that would build, changing nothing.
type DigestRunner interface {
	RunDigest(ctx context.Context, slug string) (*campaigns.Digest, error)
	PreviewDigest(ctx context.Context, slug string) (*campaigns.DigestPreview, error)
}

var _ DigestRunner = (*campaigns.Service)(nil)

// digestRoutes registers the digest and feed API and the public archive.
func (s *Server) digestRoutes() {
	if s.Digests != nil {
		s.mux.Handle("POST /api/v1/digests/run", s.requireToken(http.HandlerFunc(s.runDigest)))
	}
	if s.Feeds != nil {
		s.feedRoutes()
	}
	if s.Archive != nil && s.Pages != nil {
		s.mux.HandleFunc("GET /archive", s.archiveIndex)
		s.mux.HandleFunc("GET /archive/{id}", s.archiveIssue)
		s.mux.Handle("GET /archive/{$}", withoutSlash("/archive"))
	}
}

// noDigest is the answer when a run made no digest.
type noDigest struct {
	Status   string    `json:"status"` // no_new_articles or no_recipients
	List     string    `json:"list"`
	Since    time.Time `json:"since"`
	Articles int       `json:"articles"`
}

// runDigest answers 201 with the digest it made, or 200 with why it made
// none: no article is new since the previous digest, or the list has no
// reader for it. A list with digest off may be run by hand.
func (s *Server) runDigest(w http.ResponseWriter, r *http.Request) {
	var in struct {
		List string `json:"list"`
	}
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	if in.List = strings.TrimSpace(in.List); in.List == "" {
		writeError(w, r, s.Log, bulletin.Invalid(map[string]string{"list": "name the list's slug"}))
		return
	}
	d, err := s.Digests.RunDigest(r.Context(), in.List)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	if d.ID == 0 {
		status := "no_new_articles"
		if d.Articles > 0 {
			status = "no_recipients"
		}
		writeJSON(w, http.StatusOK, noDigest{Status: status, List: d.List, Since: d.WindowStart, Articles: d.Articles})
		return
	}
	writeJSON(w, http.StatusCreated, d)
}
