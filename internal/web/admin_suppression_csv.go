package web

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/subscribers"
)

// Limits of a suppression import.
const (
	maxSuppressionFile = 8 << 20
	maxImportProblems  = 20
)

// suppressionColumns are the columns of the export; an import reads the
// first (an address or domain) and the note, when there is one.
var suppressionColumns = []string{"target", "reason", "source", "note", "created_at"}

// exportSuppressions downloads the entries the page's ?q= selects as CSV,
// every cell guarded against spreadsheet formulas.
func (s *Server) exportSuppressions(w http.ResponseWriter, r *http.Request) {
	f := events.SuppressionFilter{Q: r.URL.Query().Get("q"), Limit: 1000}
	first := true
	var cw *csv.Writer
	for {
		items, next, err := s.Events.Suppressions(r.Context(), f)
		if err != nil {
			if first {
				s.adminError(w, r, err)
			} else {
				s.Log.Error("suppression export cut short", "err", err)
			}
			return
		}
		if first {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="suppressions-`+time.Now().UTC().Format("2006-01-02")+`.csv"`)
			w.Header().Set("Cache-Control", "no-store")
			cw = csv.NewWriter(w)
			cw.Write(suppressionColumns)
			first = false
		}
		for _, sp := range items {
			cw.Write([]string{subscribers.TextCell(sp.Target()), sp.Reason, subscribers.TextCell(sp.Source),
				subscribers.TextCell(sp.Note), sp.CreatedAt.Format(time.RFC3339)})
		}
		if next == "" {
			break
		}
		f.After = next
	}
	cw.Flush()
}

// A suppressionImport is what an import did.
type suppressionImport struct {
	Added, Known int
	Problems     []string
	More         int // problems beyond those listed
}

// limitSuppressionImport bounds the suppression upload at
// maxSuppressionFile (limitUpload).
func (s *Server) limitSuppressionImport(next http.Handler) http.Handler {
	return s.limitUpload(next, func() int64 { return maxSuppressionFile }, func(w http.ResponseWriter, r *http.Request) {
		p := &suppressionsPage{Errors: map[string]string{"import": "The file is over 8 MB: split it into files of at most 8 MB, one address or domain a line."}}
		s.renderSuppressions(w, r, http.StatusRequestEntityTooLarge, p)
	})
}

// importSuppressions adds every address (or domain) of an uploaded CSV
// file, one a line in its first column, reason manual. limitSuppressionImport
// has bounded the body.
func (s *Server) importSuppressions(w http.ResponseWriter, r *http.Request) {
	file, _, err := r.FormFile("file")
	if err != nil {
		p := &suppressionsPage{Errors: map[string]string{"import": "Choose a CSV file of at most 8 MB, one address or domain a line."}}
		s.renderSuppressions(w, r, http.StatusUnprocessableEntity, p)
		return
	}
	defer file.Close()
	res, err := s.importSuppressionCSV(r, io.LimitReader(file, maxSuppressionFile))
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	s.renderSuppressions(w, r, http.StatusOK, &suppressionsPage{Imported: res})
}

func (s *Server) importSuppressionCSV(r *http.Request, file io.Reader) (*suppressionImport, error) {
	cr := csv.NewReader(file)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	res := &suppressionImport{}
	problem := func(line int, msg string) {
		if len(res.Problems) < maxImportProblems {
			res.Problems = append(res.Problems, fmt.Sprintf("line %d: %s", line, msg))
		} else {
			res.More++
		}
	}
	note := -1
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		if err != nil {
			problem(line, "not CSV: "+err.Error())
			if _, ok := err.(*csv.ParseError); ok {
				continue
			}
			return res, nil
		}
		cell := strings.TrimSpace(strings.TrimPrefix(subscribers.FromTextCell(rec[0]), "\ufeff"))
		if line == 1 && isSuppressionHeader(cell) {
			for i, c := range rec {
				if strings.EqualFold(strings.TrimSpace(c), "note") {
					note = i
				}
			}
			continue
		}
		if cell == "" {
			continue
		}
		f := suppressionForm{Target: cell}
		if note >= 0 && note < len(rec) {
			f.Note = subscribers.FromTextCell(rec[note])
		}
		target, err := f.target()
		if err != nil {
			msgs := bulletin.ErrorFields(err)
			problem(line, cell+": "+msgs["address"]+msgs["domain"]+msgs["note"])
			continue
		}
		_, created, err := s.Events.AddSuppression(r.Context(), target, events.ReasonManual, "import", f.Note)
		if err != nil {
			return nil, err
		}
		if created {
			res.Added++
		} else {
			res.Known++
		}
	}
}

// isSuppressionHeader says whether a first cell names a column.
func isSuppressionHeader(cell string) bool {
	switch strings.ToLower(cell) {
	case "target", "email", "address", "domain":
		return true
	}
	return false
}
