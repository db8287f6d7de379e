package web

import (
	"errors"
	"net/http"
	"strings"
)

// oneClickRefused answers, and reports true for, an unsubscribe POST
// whose body does not carry RFC 8058's List-Unsubscribe=One-Click, in
// either of the encodings the RFC names (application/x-www-form-urlencoded,
// multipart/form-data). Mail programs send that pair and the page's own
// button sends it too (pages/unsubscribe.html, beside "page"), so any
// other body is neither: a link scanner, a prefetcher, a form of someone
// else's. It unsubscribed the reader all the same; now it gets a 400
// saying what to send, and changes nothing. A body over MaxBodyBytes gets
// the 413 of every route. A POST with no body at all is taken as a mail
// program's one-click that left the pair out: it says nothing else, and
// refusing a reader's unsubscribe costs more than a scanner's POST could.
func oneClickRefused(w http.ResponseWriter, r *http.Request) bool {
	if r.ContentLength == 0 {
		return false
	}
	// ParseMultipartForm keeps ParseForm's error to itself when the body
	// is not multipart, so ParseForm comes first. MaxBodyBytes of memory:
	// a body within the limit never spills a part to a file on disk.
	err := r.ParseForm()
	if err == nil {
		err = r.ParseMultipartForm(MaxBodyBytes)
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		http.Error(w, "The request body is too large: send List-Unsubscribe=One-Click alone. Nothing was changed.", http.StatusRequestEntityTooLarge)
		return true
	case err != nil && !errors.Is(err, http.ErrNotMultipart):
		http.Error(w, "The request body cannot be read as a form: to unsubscribe with one click, POST List-Unsubscribe=One-Click as application/x-www-form-urlencoded or multipart/form-data (RFC 8058). Nothing was changed.", http.StatusBadRequest)
		return true
	}
	for key, values := range r.PostForm {
		if !strings.EqualFold(key, "List-Unsubscribe") {
			continue
		}
		for _, v := range values {
			if strings.EqualFold(strings.TrimSpace(v), "One-Click") {
				return false
			}
		}
	}
	http.Error(w, "To unsubscribe with one click, POST List-Unsubscribe=One-Click as application/x-www-form-urlencoded or multipart/form-data (RFC 8058). Nothing was changed.", http.StatusBadRequest)
	return true
}
