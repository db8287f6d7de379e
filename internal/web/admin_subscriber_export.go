package web

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/subscribers"
)

// utf8BOM starts the admin's CSV download. Excel, opening a double-clicked
// CSV file, reads it as the system's code page (Windows-1252 in Western
// Europe) unless the file starts with the mark: "Renée" would show as
// "RenÃ©e". The import skips the mark, so the file still imports back
// unchanged. bulletin export writes no mark: its file is for scripts, to
// which the mark is three stray bytes before the first column's name.
const utf8BOM = "\uFEFF"

// exportSubscribersCSV downloads the subscribers the page's filters (q,
// list, status) select, as the CSV that bulletin export writes (with
// utf8BOM before it) and the import reads back. It reads the filters as
// the page does (unknownFilters), and refuses a status or a list that
// none of the page's menus offers: a link to a deleted list gave a file
// with no reader in it, as if the list had been empty.
func (s *Server) exportSubscribersCSV(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := subscribers.Filter{Q: q.Get("q"), List: q.Get("list"), Status: q.Get("status")}
	lists, err := s.Subscribers.Lists(r.Context())
	if err != nil {
		s.adminFailed(w, r, err)
		return
	}
	if status, list := unknownFilters(&f, lists); status != "" || list != "" {
		s.renderErrorPage(w, r, http.StatusUnprocessableEntity, &errorPage{Title: "Cannot export", Message: exportFilterFault(status, list)})
		return
	}
	// Built in memory first, so that a failure is an error page rather
	// than half a file: a million readers is about 100 MB.
	var buf bytes.Buffer
	buf.WriteString(utf8BOM)
	if _, err := s.Subscribers.ExportFiltered(r.Context(), &buf, f); err != nil {
		s.adminFailed(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="subscribers-`+time.Now().UTC().Format("2006-01-02")+`.csv"`)
	h.Set("X-Content-Type-Options", "nosniff")
	buf.WriteTo(w)
}

// exportFilterFault says what to fix in an export's link whose status or
// list (either may be "") names none.
func exportFilterFault(status, list string) string {
	var faults []string
	if status != "" {
		faults = append(faults, "There is no status “"+status+"”: use pending, confirmed, unsubscribed or bounced.")
	}
	if list != "" {
		faults = append(faults, "There is no list “"+list+"” now (it was deleted, or its slug changed): choose a list on the Subscribers page, or export every list's subscribers.")
	}
	return strings.Join(faults, " ")
}

// exportSubscriberJSON downloads everything stored about one person, as
// the API's export does, with the admin session.
func (s *Server) exportSubscriberJSON(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.adminNotFound(w, r)
		return
	}
	exp, err := s.Subscribers.ExportOf(r.Context(), id)
	if err != nil {
		s.adminFailed(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="subscriber-`+strconv.FormatInt(id, 10)+`.json"`)
	writeJSON(w, http.StatusOK, exp)
}
