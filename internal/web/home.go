package web

import (
	"net/http"

	"github.com/bulletinhq/bulletin/subscribers"
)

// homeData is the data of pages/home.html: the ways on it offers, each
// only when this server serves it.
type homeData struct {
	Signup, Archive bool
	// ArchiveEmpty: the archive lists no issue yet, as on a fresh
	// install. The page says so beside its link, so a reader does not
	// follow it to an empty page unwarned.
	ArchiveEmpty bool
}

// homeRoutes registers the site's home page at /. Every mail's masthead
// links there when the publisher has no website of their own, so it is
// where a reader who is already subscribed lands: a signup form there
// would read as "you are not subscribed". The page says what the
// publication is, leads to the signup form and the archive, and tells
// readers where their own links are. Without pages there is nothing to
// show, and / stays a 404.
func (s *Server) homeRoutes() {
	if s.Pages == nil {
		return
	}
	s.handle("GET /{$}", s.home)
}

// home renders the home page. The routes it links to are asked at each
// request, as the 404 page does: they are registered after this one.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	d := homeData{Signup: s.signupOpen(r), Archive: servesGET(s.mux, "/archive")}
	if d.Archive {
		d.ArchiveEmpty = s.archiveEmpty(r)
	}
	s.renderPage(w, r, http.StatusOK, "home", d)
}

// archiveEmpty reports whether the archive lists no issue. One it cannot
// read is not called empty: its page says itself what went wrong.
func (s *Server) archiveEmpty(r *http.Request) bool {
	issues, _, err := s.Archive.Archive(r.Context(), 0, 1)
	if err != nil {
		s.Log.Error("archive", "err", err)
		return false
	}
	return len(issues) == 0
}

// signupOpen reports whether a reader can sign up here now: the signup
// form is served and there is a public list to join. Without one the
// form answers "Not open yet", so a page offering it would send readers
// to a refusal; a fresh install has no list at all. The lists are asked
// of the store the form asks. When they cannot be read the form is
// offered still: it says itself what went wrong, where a page saying
// signups are closed would be wrong.
func (s *Server) signupOpen(r *http.Request) bool {
	_, open := s.publicListsIfOpen(r)
	return open
}

// publicListsIfOpen is signupOpen with the public lists it found (none
// when they could not be read).
func (s *Server) publicListsIfOpen(r *http.Request) (lists []*subscribers.List, open bool) {
	if s.Subscribers == nil || !servesGET(s.mux, "/subscribe") {
		return nil, false
	}
	lists, err := s.Subscribers.PublicLists(r.Context())
	if err != nil {
		s.Log.Error("public lists", "err", err)
		return nil, true
	}
	return lists, len(lists) > 0
}
