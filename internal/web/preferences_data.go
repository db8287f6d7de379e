package web

import (
	"net/http"
	"time"
)

// preferencesDataDownload gives the reader of a preferences link
// everything stored about them, the JSON the API's export gives
// (subscribers.Store.ExportOf), as a file to keep. It reads and changes
// nothing else, so a mail scanner fetching it does no harm. The answer is
// kept from caches and referrers, as the pages with the token are.
func (s *Server) preferencesDataDownload(w http.ResponseWriter, r *http.Request) {
	id, ok := s.preferencesReader(w, r)
	if !ok {
		return
	}
	exp, err := s.Subscribers.ExportOf(r.Context(), id)
	if s.readerFailed(w, r, err) {
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	// Named for the day, not the reader's id: the file says whose it is
	// inside, and a reader's downloads folder needs no database key.
	h.Set("Content-Disposition", `attachment; filename="my-data-`+time.Now().UTC().Format("2006-01-02")+`.json"`)
	writeJSON(w, http.StatusOK, exp)
}
