package web

import (
	"bytes"
	"net/http"
)

// messageData is the data of pages/message.html.
type messageData struct {
	Title   string
	Message string
	// Back, when set, is a link on this site to go on from the page
	// (BackText its words): a reader who met a dead end is not left there.
	Back, BackText string
}

// pageCSP is the Content-Security-Policy of the public pages: no script,
// inline styles, images of this site only, forms posting here only.
const pageCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// mailPageCSP is pageCSP for the pages that show what was mailed (the
// archive's issues): a campaign's or an article's images are mostly on
// other hosts, so images may come from any https: URL too. Nothing else
// is loosened.
const mailPageCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: https:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// mailPagePlainCSP is mailPageCSP for a site served over plain http (its
// public URL's scheme): there a campaign's http: images are no mixed
// content, and the mail showed them where the archive showed a broken
// image. An https site keeps them out, as browsers would.
const mailPagePlainCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: https: http:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// renderPage renders the page called name with status. Pages are rendered
// into a buffer first, so a template failure is a clean 500.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	s.renderPageCSP(w, r, status, name, data, pageCSP)
}

// renderMailPage is renderPage for a page that shows mail content, under
// mailPageCSP, or mailPagePlainCSP on a site served over plain http.
func (s *Server) renderMailPage(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	csp := mailPageCSP
	if !s.secureCookies(r) {
		csp = mailPagePlainCSP
	}
	s.renderPageCSP(w, r, status, name, data, csp)
}

func (s *Server) renderPageCSP(w http.ResponseWriter, r *http.Request, status int, name string, data any, csp string) {
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
	h.Set("Content-Security-Policy", csp)
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// messagePage renders a page with a title and one paragraph.
func (s *Server) messagePage(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	s.renderPage(w, r, status, "message", messageData{Title: title, Message: msg})
}

// messagePageBack is messagePage with a way on: a link to back (a path of
// this site) that reads text.
func (s *Server) messagePageBack(w http.ResponseWriter, r *http.Request, status int, title, msg, back, text string) {
	s.renderPage(w, r, status, "message", messageData{Title: title, Message: msg, Back: back, BackText: text})
}

// badLinkPage is the answer to a token that is altered, expired or stale:
// page is the page for the kind of link (confirm_bad, unsubscribe_bad or
// preferences_bad), which says what to do instead. It shows no address,
// so it tells nothing of who is subscribed.
func (s *Server) badLinkPage(w http.ResponseWriter, r *http.Request, page string) {
	s.renderPage(w, r, http.StatusBadRequest, page, badLinkData{Signup: s.signupOpen(r)})
}
