package web

import "net/http"

// homeData is the data of pages/home.html: the ways on it offers, each
// only when this server serves it.
type homeData struct {
	Signup, Archive bool
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
	s.renderPage(w, r, http.StatusOK, "home", homeData{
		Signup: servesGET(s.mux, "/subscribe"), Archive: servesGET(s.mux, "/archive"),
	})
}
