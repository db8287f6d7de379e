package web

import (
	"bytes"
	"net/http"
)

// messageData is the data of pages/message.html.
type messageData struct {
	Title   string
	Message string
}

// renderPage renders the page called name with status. Pages are rendered
// into a buffer first, so a template failure is a clean 500.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := s.Pages.Page(&buf, name, data); err != nil {
		s.Log.Error("render page", "page", name, "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer") // links on token pages must not carry the token away
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// messagePage renders a page with a title and one paragraph.
func (s *Server) messagePage(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	s.renderPage(w, r, status, "message", messageData{Title: title, Message: msg})
}

// badLinkPage is the answer to a token that is altered, expired or stale:
// page is the page for the kind of link (confirm_bad, unsubscribe_bad or
// preferences_bad), which says what to do instead. It shows no address,
// so it tells nothing of who is subscribed.
func (s *Server) badLinkPage(w http.ResponseWriter, r *http.Request, page string) {
	s.renderPage(w, r, http.StatusBadRequest, page, nil)
}
