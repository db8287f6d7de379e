package web

import (
	"net/http"
	"strings"
)

// requireToken lets a request through only with a valid API bearer token.
func (s *Server) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		secret, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="bulletin"`)
			writeError(w, r, s.Log, errUnauthorized)
			return
		}
		valid, err := s.Admins.CheckToken(r.Context(), strings.TrimSpace(secret))
		if err != nil {
			writeError(w, r, s.Log, err)
			return
		}
		if !valid {
			w.Header().Set("WWW-Authenticate", `Bearer realm="bulletin", error="invalid_token"`)
			writeError(w, r, s.Log, errUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
