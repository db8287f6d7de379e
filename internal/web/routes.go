package web

import (
	"net/http"
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
