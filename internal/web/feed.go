package web

import (
	"context"
	"net/http"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// A FeedStore keeps the feeds Bulletin polls: it adds one (and polls it
// once), lists, reads, pauses or resumes (and polls it once), and deletes
// them.
type FeedStore interface {
	Add(ctx context.Context, url, list string, active *bool) (*articles.Feed, bool, error)
	// Check is Add's refusal of the fields of a feed of url on list,
	// storing and polling nothing.
	Check(ctx context.Context, url, list string) error
	List(ctx context.Context, after int64, limit int) ([]*articles.Feed, int64, error)
	Get(ctx context.Context, id int64) (*articles.Feed, error)
	SetActive(ctx context.Context, id int64, active bool) (*articles.Feed, error)
	Delete(ctx context.Context, id int64) error
}

var _ FeedStore = (*articles.Feeds)(nil)

// feedRoutes registers the feed API and the admin's feeds pages.
func (s *Server) feedRoutes() {
	s.mux.Handle("GET /api/v1/feeds", s.requireToken(http.HandlerFunc(s.listFeeds)))
	s.mux.Handle("POST /api/v1/feeds", s.requireToken(http.HandlerFunc(s.addFeed)))
	s.mux.Handle("GET /api/v1/feeds/{id}", s.requireToken(http.HandlerFunc(s.getFeed)))
	s.mux.Handle("PATCH /api/v1/feeds/{id}", s.requireToken(http.HandlerFunc(s.patchFeed)))
	s.mux.Handle("DELETE /api/v1/feeds/{id}", s.requireToken(http.HandlerFunc(s.deleteFeed)))
	s.adminHandle("GET /admin/feeds", s.feedsPage)
	s.adminHandle("POST /admin/feeds", s.addFeedForm)
	s.adminHandle("POST /admin/feeds/{id}/pause", s.pauseFeedForm)
	s.adminHandle("POST /admin/feeds/{id}/resume", s.resumeFeedForm)
	s.adminHandle("GET /admin/feeds/{id}/delete", s.deleteFeedPage)
	s.adminHandle("POST /admin/feeds/{id}/delete", s.deleteFeedForm)
}

// feedID is the {id} of the path, or 0 when it is not a feed's id.
func feedID(r *http.Request) int64 {
	if id, ok := pathID(r); ok {
		return id
	}
	return 0
}

// addFeed answers 201 with a new feed, or 200 with the feed of that URL
// and list that was there already; "active", when given, is set on it
// (false adds it paused). Either way it has just been polled, unless it
// is paused. A URL on a loopback or private address is a 422 unless
// private feeds are allowed, and so is a new feed whose first poll shows
// it is no feed (a 4xx but 408 and 429, a web page, a document that does
// not parse as a feed, one over the size limit), as the admin's form
// refuses it; one whose first poll failed for a passing reason (no
// answer, a 5xx) is added with the failure in its status. An address
// without a scheme is taken as https.
func (s *Server) addFeed(w http.ResponseWriter, r *http.Request) {
	var in feedInput
	if body, err := decodeJSONBody(r, &in); err != nil {
		var rest feedInput
		if fields, ok := bodyRest(body, err, &rest); ok {
			err = withFaults(fields, s.Feeds.Check(r.Context(), rest.URL, rest.List), &rest)
		}
		writeError(w, r, s.Log, err)
		return
	}
	fd, created, err := s.Feeds.Add(r.Context(), in.URL, in.List, in.Active)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, createdStatus(created), fd)
}

// listFeeds pages through the feeds, oldest first (?after=&limit=).
func (s *Server) listFeeds(w http.ResponseWriter, r *http.Request) {
	after, limit, err := keyset(r.URL.Query().Get("after"), r.URL.Query().Get("limit"))
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	feeds, next, err := s.Feeds.List(r.Context(), after, limit)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, newPage(feeds, next))
}

func (s *Server) getFeed(w http.ResponseWriter, r *http.Request) {
	id, err := apiID(r)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	fd, err := s.Feeds.Get(r.Context(), id)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, fd)
}

// feedInput is the body of a new feed (POST /api/v1/feeds).
type feedInput struct {
	URL    string `json:"url"`
	List   string `json:"list"`
	Active *bool  `json:"active"`
}

// feedPatch is the body of a feed's PATCH: only active changes.
type feedPatch struct {
	Active *bool   `json:"active"`
	URL    *string `json:"url"`
	List   *string `json:"list"`
}

// faults is the refusal of p, nil when it pauses or resumes a feed and
// does nothing else.
func (p *feedPatch) faults() error {
	fields := map[string]string{}
	if p.URL != nil {
		fields["url"] = "a feed's URL cannot change: add the new URL as a feed and delete this one"
	}
	if p.List != nil {
		fields["list"] = "a feed's list cannot change: add the feed to the other list and delete this one"
	}
	if p.Active == nil {
		fields["active"] = `give "active": false to pause the feed or true to resume it`
	}
	if len(fields) > 0 {
		return bulletin.Invalid(fields)
	}
	return nil
}

// patchFeed pauses ({"active":false}) or resumes ({"active":true}) a
// feed. A resumed feed is polled in the request, as a new one is, so the
// answer has a fresh status (and "added"). Its URL and list do not
// change: that is another feed.
func (s *Server) patchFeed(w http.ResponseWriter, r *http.Request) {
	id, err := apiID(r)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	var in feedPatch
	if body, err := decodeJSONBody(r, &in); err != nil {
		var rest feedPatch
		if fields, ok := bodyRest(body, err, &rest); ok {
			if _, gerr := s.Feeds.Get(r.Context(), id); gerr == nil {
				err = withFaults(fields, rest.faults(), &rest)
			}
		}
		writeError(w, r, s.Log, err)
		return
	}
	if ferr := in.faults(); ferr != nil {
		// An unknown feed is a 404 whatever the body, as on every route.
		if _, err := s.Feeds.Get(r.Context(), id); err != nil {
			writeError(w, r, s.Log, err)
			return
		}
		writeError(w, r, s.Log, ferr)
		return
	}
	fd, err := s.Feeds.SetActive(r.Context(), id, *in.Active)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, fd)
}

// deleteFeed answers 204; the articles the feed brought stay.
func (s *Server) deleteFeed(w http.ResponseWriter, r *http.Request) {
	id, err := apiID(r)
	if err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	if err := s.Feeds.Delete(r.Context(), id); err != nil {
		writeError(w, r, s.Log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
