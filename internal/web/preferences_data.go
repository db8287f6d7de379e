package web

import (
	"net/http"
	"time"

	"github.com/bulletinhq/bulletin/subscribers"
)

// dataDownload gives the reader of a mailed download link
// (subscribers.TokenDataDownload, asked for on the preferences page)
// everything stored about them, the JSON the API's export gives
// (subscribers.Store.ExportOf), as a file to keep. It reads and changes
// nothing else, so a mail scanner fetching it does no harm. The answer is
// kept from caches and referrers, as the pages with the token are.
func (s *Server) dataDownload(w http.ResponseWriter, r *http.Request) {
	id, _, ok := s.dataLinkReader(w, r, subscribers.TokenDataDownload)
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
