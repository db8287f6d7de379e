package web

import (
	"net/http"
	"strconv"
)

// runDigestForm is the "Send now" button of /admin/digests: it builds the
// list's digest as POST /api/v1/digests/run does and starts sending it,
// then shows the digest, or says why none was made.
func (s *Server) runDigestForm(w http.ResponseWriter, r *http.Request) {
	if s.Digests == nil {
		s.adminNotFound(w, r)
		return
	}
	d, err := s.Digests.RunDigest(r.Context(), r.PathValue("slug"))
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
