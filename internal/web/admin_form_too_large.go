package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/bulletinhq/bulletin/internal/settings"
)

// formTooLargePage is the 413 page of an admin form over its body limit.
// The server refused the body unread, so it cannot show the form again
// with what was typed; the browser still has it, on Back, and the page
// says so before anything else.
type formTooLargePage struct {
	adminPage
	// Limit is the form's limit for people ("1 MiB"); Advice what to
	// change before sending it again, a sentence that follows "Then".
	Limit, Advice string
	// Back is the form's page (formPage), BackLabel names it on the
	// link. The link opens the page afresh: a script's history.back()
	// would keep what was typed, but the admin's CSP runs no inline
	// script, so the page asks for the browser's Back instead.
	Back, BackLabel string
}

// formTooLarge answers 413 to an admin form whose body is over limit,
// with what to change for the form it came from.
func (s *Server) formTooLarge(w http.ResponseWriter, r *http.Request, limit int64) {
	p := &formTooLargePage{Limit: sizeForPeople(limit), Advice: tooLargeAdvice(r.URL.Path),
		Back: s.formPage(r), BackLabel: "Open the form again"}
	if p.Back == "/admin" {
		p.BackLabel = "Back to the dashboard"
	}
	s.renderAdmin(w, r, http.StatusRequestEntityTooLarge, "admin_form_too_large", p)
}

// readPreSessionForm parses the form of a page reached without a session
// (login, setup, an invite's), up to maxLoginFormSize, and returns false
// once it has answered a form it could not read. One over its limit gets
// the 413 page of every admin form, before its token is looked at, as
// requireAdmin does: it is left unread. Its link leads to back, the
// form's own page whatever the Referer: without a session the dashboard
// leads to the login form, away from the setup or the invite. Setup and
// invites answered a plain-text 400 "Bad request." to either until then.
func (s *Server) readPreSessionForm(w http.ResponseWriter, r *http.Request, back string) bool {
	limit := int64(MaxBodyBytes)
	if !bodyOverLimit(r) {
		r.Body = http.MaxBytesReader(w, r.Body, maxLoginFormSize)
		err := r.ParseForm()
		var mbe *http.MaxBytesError
		switch {
		case err == nil:
			return true
		case !errors.As(err, &mbe):
			s.renderErrorPage(w, r, http.StatusBadRequest, &errorPage{Title: "This form could not be read",
				Message: "Nothing was saved: the form arrived garbled, which a browser does not send. Open the form again and fill it in."})
			return false
		}
		limit = mbe.Limit
	}
	p := &formTooLargePage{Limit: sizeForPeople(limit), Advice: tooLargeAdvice(r.URL.Path),
		Back: back, BackLabel: "Open the form again"}
	s.renderAdmin(w, r, http.StatusRequestEntityTooLarge, "admin_form_too_large", p)
	return false
}

// tooLargeAdvice says what makes the form at path smaller. A campaign or
// an article gets too large when an image is pasted into its body (the
// browser writes it into the text as a data: URI, often larger than the
// image file); the settings when the logo is.
func tooLargeAdvice(path string) string {
	switch {
	case path == "/admin/settings":
		return fmt.Sprintf("choose a logo of at most %s (a PNG a few hundred pixels wide is plenty), and save again.",
			sizeForPeople(settings.MaxLogoBytes))
	case strings.HasSuffix(path, "/import"):
		return "split the file into smaller ones and upload each in turn."
	case strings.HasPrefix(path, "/admin/campaigns"):
		return "link images by their web address, as ![description](https://…), instead of pasting them into the body (a pasted image is written into the text as a long code), and save again."
	case path == "/admin/login":
		return "type only your email and password, and log in again."
	case path == "/admin/setup":
		return "shorten the longest field (a name or an address of a few words is plenty), and set up again."
	case strings.HasPrefix(path, "/admin/invite/"):
		return "type only your password, twice, and send the form again."
	case strings.HasPrefix(path, "/admin/articles"):
		return "give the image by its address in Image URL instead of pasting it into the body, and save again."
	}
	return "shorten the longest field, and send the form again."
}

// overLimit reports whether r's form could not be read for being over
// its limit, and that limit: announced by Content-Length (limitBody
// leaves such a body unread) or found while reading a chunked one. It
// parses the form as PostFormValue does, so the handler after it finds
// the form parsed already.
func overLimit(r *http.Request) (int64, bool) {
	if bodyOverLimit(r) {
		return MaxBodyBytes, true
	}
	// ParseMultipartForm answers ErrNotMultipart to a urlencoded form,
	// not ParseForm's error, so ParseForm is asked first.
	var mbe *http.MaxBytesError
	if err := r.ParseForm(); errors.As(err, &mbe) {
		return mbe.Limit, true
	}
	if err := r.ParseMultipartForm(32 << 20); errors.As(err, &mbe) {
		return mbe.Limit, true
	}
	return 0, false
}

// sizeForPeople writes a limit in bytes as "1 MiB" or "512 KiB", rounded
// down: an upload's limit has a few KiB for the form around its file.
func sizeForPeople(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
