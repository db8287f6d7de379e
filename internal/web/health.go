package web

import (
	"context"
	"net/http"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func (s *Server) healthRoutes() {
	s.handle("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.handle("GET /readyz", s.readyz)
	// Monitors read JSON here, the 405 of a wrong method included.
	for _, path := range []string{"/healthz", "/readyz"} {
		s.handle(path, func(w http.ResponseWriter, r *http.Request) { s.methodNotAllowed(w, r) })
	}
	s.mux.Handle("GET /metrics", GuardMetrics(promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{}), s.MetricsToken, s.Log))
}

// readyz asks every dependency, each with a short deadline, and answers 503
// naming the ones that failed (never their error text).
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{}
	status, code := "ok", http.StatusOK
	names := make([]string, 0, len(s.Checks))
	for name := range s.Checks {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := s.Checks[name](ctx); err != nil {
			s.Log.Warn("readiness check failed", "check", name, "err", err)
			checks[name] = "down"
			status, code = "unavailable", http.StatusServiceUnavailable
			continue
		}
		checks[name] = "ok"
	}
	writeJSON(w, code, map[string]any{"status": status, "checks": checks})
}
