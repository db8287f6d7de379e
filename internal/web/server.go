// Package web is Bulletin's HTTP face: public pages and endpoints for
// readers, the admin area and JSON API for editors, and health and metrics
// for operators. Handlers decode, call a domain package and encode; they
// hold no business rules.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/subscribers"
)

// MaxBodyBytes bounds every request body.
const MaxBodyBytes = 1 << 20

// A Check is a dependency /readyz asks: nil means it answers.
type Check func(ctx context.Context) error

// A Server routes and serves Bulletin's HTTP requests.
type Server struct {
	Log      *slog.Logger
	Registry *prometheus.Registry
	// Checks are asked by /readyz, by name ("sqlite", "redis").
	Checks map[string]Check
	// BaseURL is the public URL in links.
	BaseURL string
	// MetricsToken, when set, opens /metrics to peers other than loopback
	// that send it as a bearer token.
	MetricsToken string

	Admins      *admins.Store
	Articles    *articles.Store
	Subscribers *subscribers.Store
	// Events holds bounces, complaints and the suppression list.
	Events *events.Store

	// Each area's own dependencies, declared in its file.
	SubscriberDeps
	CampaignDeps
	DigestDeps
	AdminDeps
	SettingsDeps
	WebhookDeps
	HookDeps
	TrackDeps

	mux     *routeMux
	metrics *httpMetrics
	// httpsMemo is the public URL secureCookies last parsed.
	httpsMemo atomic.Pointer[httpsMemo]
}

// Handler builds the routes and returns the server's root handler, wrapped
// in the middleware every request passes: panic recovery, body limit,
// metrics and one log line.
func (s *Server) Handler() http.Handler {
	if s.Log == nil {
		s.Log = slog.Default()
	}
	if s.Registry == nil {
		s.Registry = prometheus.NewRegistry()
	}
	s.mux = newRouteMux()
	if s.metrics == nil {
		s.metrics = newHTTPMetrics(s.Registry)
	}
	s.healthRoutes()
	s.apiRoutes()
	s.homeRoutes()
	s.subscriberRoutes()
	s.campaignRoutes()
	s.digestRoutes()
	s.adminRoutes()
	s.webhookRoutes()
	s.trackRoutes()
	return s.recoverPanics(s.logRequests(s.strictTransport(s.crossSiteAdmin(s.limitBody(s.trackPaths(s.publicNotFound(s.mux)))))))
}

// notFoundData is the data of pages/not_found.html: the ways on it
// offers, each only when this server serves it.
type notFoundData struct {
	Signup, Archive bool
}

// publicNotFound answers, in the public layout, the requests no route
// takes: a reader who followed a mistyped or cut-short link gets the
// publication's page with a way on, not net/http's bare 404. The admin
// area and the API have catch-alls of their own (their layout's page,
// the JSON error), so only the public site comes here. A method a path
// does not take is a 405 with its Allow, on a page saying what the
// address is for, not net/http's plain text. The request keeps no
// pattern, so logs and metrics still count it as "other".
func (s *Server) publicNotFound(mux *routeMux) http.Handler {
	if s.Pages == nil {
		return mux // the public pages are dark: nothing to render with
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/webhooks/") && s.methodNotAllowed(w, r) {
			return // the providers' endpoints answer in JSON, a 405 too
		}
		if allowed := mux.allowedMethods(r); len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			msg := "This address is a page to open as a link, not one a form sends to: nothing was changed."
			switch {
			case slices.Contains(allowed, http.MethodGet) && slices.Contains(allowed, http.MethodPost):
				msg = "This address is a page and the form on it, which take " + takenList(allowed) + ", not " + r.Method + ": nothing was changed. Open it as a link."
			case !slices.Contains(allowed, http.MethodGet):
				msg = "This address only takes a form sent from one of this site's pages, so there is nothing to show here and nothing was changed."
			}
			s.messagePage(w, r, http.StatusMethodNotAllowed, "Not done at this address", msg)
			return
		}
		s.renderPage(w, r, http.StatusNotFound, "not_found", notFoundData{
			// An empty archive is no way on: a fresh install has sent nothing.
			Signup: s.signupOpen(r), Archive: servesGET(mux, "/archive") && !s.archiveEmpty(r),
		})
	})
}

// servesGET reports whether a route of mux takes GET path.
func servesGET(mux *routeMux, path string) bool {
	probe, err := http.NewRequest(http.MethodGet, path, nil)
	if err != nil {
		return false
	}
	_, pattern := mux.Handler(probe)
	return namesMethod(pattern)
}

// apiRoutes registers the token-protected JSON API.
func (s *Server) apiRoutes() {
	s.mux.Handle("GET /api/v1/articles", s.requireToken(http.HandlerFunc(s.listArticles)))
	s.mux.Handle("POST /api/v1/articles", s.requireToken(http.HandlerFunc(s.createArticle)))
	s.handle("GET /api/v1/openapi.json", serveOpenAPI) // public: it is documentation
	notFound := s.requireToken(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, s.Log, errNotFound)
	}))
	// A path served for other methods is a 405 without a token, as
	// net/http would answer it before any handler. Like every API answer
	// it is kept by no cache (requireToken), token or not.
	s.handle("/api/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if !s.methodNotAllowed(w, r) {
			notFound.ServeHTTP(w, r)
		}
	})
}

// methodNotAllowed answers 405 in the JSON error shape, naming in Allow
// the methods the routes of r's path take, and reports whether it did:
// not when no route has the path. A catch-all pattern takes every
// request the routes of its paths leave, so net/http's own 405, in plain
// text, never comes where one is registered.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) bool {
	allowed := s.mux.allowedMethods(r)
	if len(allowed) == 0 {
		return false
	}
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	writeError(w, r, s.Log, bulletin.Errorf(bulletin.EMETHODNOTALLOWED,
		"This path takes %s, not %s: see Allow.", takenList(allowed), r.Method))
	return true
}

// handle registers h for pattern on the server's mux.
func (s *Server) handle(pattern string, h http.HandlerFunc) { s.mux.Handle(pattern, h) }

// withoutSlash sends a page's address written with a slash at its end
// (/archive/, as a hand or a mail program may write it) to the page,
// keeping its query.
func withoutSlash(path string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		to := path
		if r.URL.RawQuery != "" {
			to += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, to, http.StatusMovedPermanently)
	})
}
