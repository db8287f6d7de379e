package web

import (
	"net/http"
	"strconv"
)

// runDigestForm is the "Send now" button of /admin/digests: it builds the
// list's digest as POST /api/v1/digests/run does and starts sending it,
// then shows the digest, or says why none was made. The form names how
// many readers the page showed (confirm); when a run would now mail
// another number, the page comes back with it instead (digestConfirmed),
// as a campaign's send does.
func (s *Server) runDigestForm(w http.ResponseWriter, r *http.Request) {
	if s.Digests == nil {
		s.adminNotFound(w, r)
		return
	}
	slug := r.PathValue("slug")
	if !s.digestConfirmed(w, r, slug) {
		return
	}
	d, err := s.Digests.RunDigest(r.Context(), slug)
	if err != nil {
		s.adminFail(w, r, err)
		return
	}
	switch {
	case d.ID != 0:
		s.redirectWithFlash(w, r, "/admin/campaigns/"+strconv.FormatInt(d.ID, 10), "digest-sent")
	case d.Articles > 0:
		s.redirectWithFlash(w, r, "/admin/digests", "digest-no-readers")
	default:
		s.redirectWithFlash(w, r, "/admin/digests", "digest-nothing-new")
	}
}

// digestConfirmed reports whether the run of slug's digest may go ahead:
// the form's confirm field names the readers a run would mail now, or a
// run would mail nobody (it then makes no digest, and the flash it
// redirects with says why). Otherwise it answers itself, 409 with the
// send page again, saying the new number above it and on its button: a
// reader who confirmed since the page was shown would be mailed with no
// word of it.
func (s *Server) digestConfirmed(w http.ResponseWriter, r *http.Request, slug string) bool {
	p, err := s.digestSendPageOf(r, slug)
	if err != nil {
		s.adminFail(w, r, err)
		return false
	}
	confirm := r.PostForm.Get("confirm")
	if p.Readers == 0 || confirm == strconv.Itoa(p.Readers) {
		return true
	}
	// A run may make two digests (a daily list's round-up beside its
	// daily one): the count is over both.
	what, reach := "the digest", " reaches "
	if len(p.Mails) > 1 {
		what, reach = "the digests", " reach "
	}
	p.Error = "Confirm the send: " + what + reach + readers(p.Readers) + "."
	if confirm != "" {
		p.Error = "The audience changed since you looked: " + what + " now" + reach + readers(p.Readers) + "."
	}
	s.renderAdmin(w, r, http.StatusConflict, "admin_digest_preview", p)
	return false
}
