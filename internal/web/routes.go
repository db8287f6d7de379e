package web

import (
	"net/http"
	"slices"
	"sort"
	"strings"
)

// routeMux is the server's ServeMux, remembering every pattern registered
// on it, so the API's routes can be held against its OpenAPI document.
type routeMux struct {
	*http.ServeMux
	patterns []string
}

func newRouteMux() *routeMux { return &routeMux{ServeMux: http.NewServeMux()} }

// Handle registers h for pattern and remembers the pattern.
func (m *routeMux) Handle(pattern string, h http.Handler) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

// HandleFunc registers h for pattern and remembers the pattern.
func (m *routeMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(h))
}

// apiPatterns returns the "METHOD /api/v1/…" patterns Handler registered,
// sorted: the JSON API as served. The catch-all "/api/" is not one.
func (s *Server) apiPatterns() []string {
	var out []string
	for _, p := range s.mux.patterns {
		method, path, ok := strings.Cut(p, " ")
		if ok && method != "" && strings.HasPrefix(path, "/api/v1/") {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// allowedMethods returns, sorted, the methods the routes of r's path
// take, HEAD with GET as net/http serves it; none when no route has the
// path, only a catch-all.
func (m *routeMux) allowedMethods(r *http.Request) []string {
	methods := []string{http.MethodHead}
	for _, p := range m.patterns {
		if method, _, ok := strings.Cut(p, " "); ok && !slices.Contains(methods, method) {
			methods = append(methods, method)
		}
	}
	slices.Sort(methods)
	var allowed []string
	for _, method := range methods {
		probe := r.WithContext(r.Context())
		probe.Method = method
		if _, pattern := m.Handler(probe); namesMethod(pattern) {
			allowed = append(allowed, method)
		}
	}
	return allowed
}

// namesMethod reports whether pattern, as ServeMux.Handler returns it,
// is a route's that names its method ("GET /healthz"): not a catch-all
// ("/api/"), and not the path of a redirect.
func namesMethod(pattern string) bool {
	method, path, ok := strings.Cut(pattern, " ")
	return ok && method != "" && strings.HasPrefix(path, "/")
}
