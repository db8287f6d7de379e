package web

import "net/http"

// cors lets pages on any origin post signups to the JSON endpoint. It
// allows no credentials, so a foreign page can sign someone up exactly as
// it could with a plain form, and read nothing else.
func cors(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Content-Type")
		h.Set("Access-Control-Max-Age", "86400")
		// A script reads only the safelisted headers unless told: the
		// 429's Retry-After says when to try again.
		h.Set("Access-Control-Expose-Headers", "Retry-After")
		next(w, r)
	}
}

// preflight answers a CORS preflight request.
func preflight(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusNoContent)
}
