package web

import (
	"bytes"
	"net/http"
	"slices"
	"strings"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// errorPage is the admin's 404, 500 and full-disk 503 page: a title, a
// sentence for the reader and a link back, never the error's detail.
type errorPage struct {
	adminPage
	Title, Message string
}

// adminNotFound answers 404 with the error page in the admin layout: for
// admin paths nothing serves and for objects that are not there.
func (s *Server) adminNotFound(w http.ResponseWriter, r *http.Request) {
	s.renderErrorPage(w, r, http.StatusNotFound, &errorPage{Title: "Not found",
		Message: "Nothing is at this address: the link may be old, or what it showed was deleted."})
}

// adminMethodNotAllowed answers 405, with Allow, for an admin path that
// routes serve for other methods only: a form posted to a page's address,
// or a form's address opened as a page. It comes after the login, not
// after the CSRF check: it changes nothing and says only which methods
// the path takes.
func (s *Server) adminMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	allowed := s.mux.allowedMethods(r)
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	p := &errorPage{Title: "Not done at this address",
		Message: "This address is a page to open, not one a form sends to: nothing was changed. Open it from the menu or a link."}
	if !slices.Contains(allowed, http.MethodGet) {
		p.Message = "This address only takes a form sent from another page, so there is nothing to show here and nothing was changed. Go back to the page with the form and use its button."
	}
	s.renderErrorPage(w, r, http.StatusMethodNotAllowed, p)
}

// refusedForm is what every admin form refused for its fields says above
// them, one wording across the admin area.
const refusedForm = "Nothing was saved: fix the fields marked below."

// refusedTest is refusedForm for a test send, which saves nothing anyway.
const refusedTest = "Nothing was sent: fix the fields marked below."

// refusal is the summary over an admin form refused with err: refusedForm
// for a validation error naming fields (bulletin.Invalid's "Some fields
// need fixing." is the JSON API's), else err's own message.
func refusal(err error) string {
	if bulletin.ErrorCode(err) == bulletin.EINVALID && len(bulletin.ErrorFields(err)) > 0 {
		return refusedForm
	}
	return bulletin.ErrorMessage(err)
}

// adminFail answers err on an admin page: internal errors and a full
// disk as adminError does, others with their status and their message,
// which is written for users.
func (s *Server) adminFail(w http.ResponseWriter, r *http.Request, err error) {
	switch code := bulletin.ErrorCode(err); code {
	case bulletin.EINTERNAL, bulletin.EUNAVAILABLE:
		s.adminError(w, r, err)
	case bulletin.ENOTFOUND:
		s.adminNotFound(w, r)
	default:
		status, ok := statusOf[code]
		if !ok {
			status = http.StatusBadRequest
		}
		s.renderErrorPage(w, r, status, &errorPage{Title: "That did not work", Message: bulletin.ErrorMessage(err)})
	}
}

// renderErrorPage renders p with status. It does not go through
// renderAdmin, whose own failures come here: when even this page cannot
// be rendered, a plain sentence stands in.
func (s *Server) renderErrorPage(w http.ResponseWriter, r *http.Request, status int, p *errorPage) {
	s.fillAdmin(r, p)
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if s.Templates != nil {
		var buf bytes.Buffer
		err := s.Templates.Admin(&buf, "admin_error", p)
		if err == nil {
			h.Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(status)
			buf.WriteTo(w)
			return
		}
		s.Log.Error("admin error page", "err", err)
	}
	http.Error(w, p.Title+". "+p.Message, status)
}

// styleNotFound lets h answer a missing object with http.NotFound and
// still show the 404 page: a plain-text 404 becomes the page in the admin
// layout. Other answers, JSON 404s among them, pass unchanged.
func (s *Server) styleNotFound(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h(&notFoundWriter{ResponseWriter: w, s: s, r: r}, r)
	}
}

// notFoundWriter swaps a plain-text 404 for the admin's 404 page.
type notFoundWriter struct {
	http.ResponseWriter
	s        *Server
	r        *http.Request
	replaced bool
}

func (w *notFoundWriter) WriteHeader(status int) {
	if status == http.StatusNotFound && strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		w.replaced = true
		w.s.adminNotFound(w.ResponseWriter, w.r)
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *notFoundWriter) Write(b []byte) (int, error) {
	if w.replaced {
		return len(b), nil // the plain text the page replaced
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *notFoundWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// adminFailed answers an admin request whose action failed: a missing
// object with the 404 page, anything else with the 500 one.
func (s *Server) adminFailed(w http.ResponseWriter, r *http.Request, err error) {
	if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
		http.NotFound(w, r)
		return
	}
	s.adminError(w, r, err)
}

// adminUnavailable answers an admin request whose write failed because
// the disk is full (EUNAVAILABLE): 503 with Retry-After, as the API and
// the reader's pages answer it, on a page saying that nothing was saved
// and how to send the form again. It was a 500 "Something went wrong",
// which read as a fault of the page, or the form again with the store's
// sentence and no Retry-After. The browser's Back keeps what was typed;
// the page's own link leads to the dashboard, as on the other error
// pages.
func (s *Server) adminUnavailable(w http.ResponseWriter, r *http.Request, err error) {
	s.Log.Error("nothing can be stored", "route", r.Pattern, "err", err)
	w.Header().Set("Retry-After", unavailableRetry)
	s.renderErrorPage(w, r, http.StatusServiceUnavailable, &errorPage{Title: "The disk is full",
		Message: "Nothing was saved: the server’s disk is full, so it cannot store anything until space is freed on it. " +
			"Use your browser’s Back button, which keeps what you typed, and send the form again in a minute."})
}
