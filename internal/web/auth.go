package web

import (
	"net/http"
	"strings"
)

// requireToken lets a request through only with a valid API bearer token,
// only with query parameters its route takes (checkQuery), only with no
// body where its route takes none (checkNoBody), and only with a body
// within the limit: the token is asked for first, whatever the body's
// size. No answer of the API is stored by a cache: most hold readers'
// addresses, and the rest say what a token may see.
func (s *Server) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		secret, ok := bearerToken(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="bulletin"`)
			writeError(w, r, s.Log, errUnauthorized)
			return
		}
		valid, err := s.Admins.CheckToken(r.Context(), secret)
		if err != nil {
			writeError(w, r, s.Log, err)
			return
		}
		if !valid {
			w.Header().Set("WWW-Authenticate", `Bearer realm="bulletin", error="invalid_token"`)
			writeError(w, r, s.Log, errUnauthorized)
			return
		}
		if err := checkQuery(r); err != nil {
			writeError(w, r, s.Log, err)
			return
		}
		if err := checkNoBody(r); err != nil {
			writeError(w, r, s.Log, err)
			return
		}
		if bodyOverLimit(r) {
			writeError(w, r, s.Log, errTooLarge)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bearerToken returns the token of a request's "Authorization: Bearer"
// header. The scheme's name is case-insensitive (RFC 9110 §11.1): clients
// and proxies send "bearer" too.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}
