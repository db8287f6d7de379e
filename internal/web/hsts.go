package web

import "net/http"

// hstsValue asks browsers to use https only for this host for a year.
// It names no subdomains: other sites may live under the publication's
// domain, on plain HTTP still.
const hstsValue = "max-age=31536000"

// strictTransport sends Strict-Transport-Security on every answer while
// the public URL is https (secureCookies), so that after the first visit
// a browser never asks for a page, or sends a session cookie, over plain
// HTTP, where an attacker on the path could strip the https away. A
// browser heeds it only on an answer that came over https, which behind
// a TLS proxy is every answer it gets.
func (s *Server) strictTransport(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.secureCookies(r) {
			w.Header().Set("Strict-Transport-Security", hstsValue)
		}
		next.ServeHTTP(w, r)
	})
}
