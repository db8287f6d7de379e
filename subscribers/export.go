package subscribers

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// exportHeader is the first row of ExportCSV; Import reads every column
// back, so an export imports into a new install unchanged.
var exportHeader = []string{"email", "name", "lists", "status", "attributes", "frequency", "created_at", "confirmed_at"}

// ExportCSV writes every subscriber, or those on list (a slug) when it is
// not empty, as CSV to w, paging by id so memory stays flat. It returns
// the number of subscribers written.
func (s *Store) ExportCSV(ctx context.Context, w io.Writer, list string) (int, error) {
	if list != "" {
		if _, err := s.ListBySlug(ctx, list); err != nil {
			return 0, err
		}
	}
	return s.ExportFiltered(ctx, w, Filter{List: list})
}

// ExportFiltered writes the subscribers f selects (its Q, List and
// Status; After and Limit are ignored) as CSV to w, like ExportCSV.
func (s *Store) ExportFiltered(ctx context.Context, w io.Writer, f Filter) (int, error) {
	if f.Status != "" && !validStatus(f.Status) {
		return 0, bulletin.Invalid(map[string]string{"status": "use pending, confirmed, unsubscribed or bounced"})
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(exportHeader); err != nil {
		return 0, err
	}
	n := 0
	f.After, f.Limit = 0, 1000
	for {
		page, next, err := s.List(ctx, f)
		if err != nil {
			return n, fmt.Errorf("export: %w", err)
		}
		for _, sub := range page {
			if err := cw.Write(exportRecord(sub)); err != nil {
				return n, fmt.Errorf("export: %w", err)
			}
			n++
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return n, fmt.Errorf("export: %w", err)
		}
		if next == 0 {
			return n, nil
		}
		f.After = next
	}
}

func exportRecord(sub *Subscriber) []string {
	confirmed := ""
	if sub.ConfirmedAt != nil {
		confirmed = sub.ConfirmedAt.UTC().Format(time.RFC3339)
	}
	lists := slices.Clone(sub.Lists)
	slices.Sort(lists)
	attrs := ""
	if len(sub.Attributes) > 0 {
		attrs = attributesJSON(sub.Attributes)
	}
	return []string{textCell(sub.Email), textCell(sub.Name), textCell(strings.Join(lists, ";")), sub.Status, textCell(attrs),
		sub.Frequency, sub.CreatedAt.UTC().Format(time.RFC3339), confirmed}
}

// formulaStart says whether a spreadsheet would take a cell holding s,
// once its leading apostrophes and spaces are set aside, for a formula:
// names and addresses come from the public signup form, and
// "=HYPERLINK(…)" in a name must not run when an editor opens the export.
// The characters are OWASP's list for CSV injection.
func formulaStart(s string) bool {
	s = strings.TrimLeft(s, "' ")
	return s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0
}

// textCell makes s a cell a spreadsheet shows as text: one that could
// start a formula gets an apostrophe in front, which spreadsheets hide
// and import takes off again (fromTextCell), so an export reads back
// unchanged. Each part after a ';' is guarded the same way: spreadsheets
// in locales that separate cells by ';' split the cell there.
func textCell(s string) string {
	if !strings.Contains(s, ";") {
		return guardPart(s)
	}
	parts := strings.Split(s, ";")
	for i, p := range parts {
		parts[i] = guardPart(p)
	}
	return strings.Join(parts, ";")
}

func guardPart(s string) string {
	if formulaStart(s) {
		return "'" + s
	}
	return s
}

// fromTextCell undoes textCell.
func fromTextCell(s string) string {
	parts := strings.Split(s, ";")
	for i, p := range parts {
		if strings.HasPrefix(p, "'") && formulaStart(p) {
			parts[i] = p[1:]
		}
	}
	return strings.Join(parts, ";")
}
