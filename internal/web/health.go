package web

import (
	"context"
	"log/slog"
	"maps"
	"net/http"
	"slices"
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
	Ready(s.Checks, s.Log)(w, r)
}

// Ready is the handler of GET /readyz: it asks every check, each with a
// short deadline, and answers {"checks":{"redis":"ok",…},"status":"ok"},
// or 503 with the failed ones "down" and "status":"unavailable", logging
// why (never in the answer). serve and bulletin worker answer with it, so
// that one monitor reads both.
func Ready(checks map[string]Check, log *slog.Logger) http.HandlerFunc {
	names := slices.Sorted(maps.Keys(checks))
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		got := map[string]string{}
		status, code := "ok", http.StatusOK
		for _, name := range names {
			if err := checks[name](ctx); err != nil {
				log.Warn("readiness check failed", "check", name, "err", err)
				got[name] = "down"
				status, code = "unavailable", http.StatusServiceUnavailable
				continue
			}
			got[name] = "ok"
		}
		writeJSON(w, code, map[string]any{"status": status, "checks": got})
	}
}
