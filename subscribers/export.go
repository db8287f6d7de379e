package subscribers

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
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

// eventsOf returns the bounces and complaints recorded for the person
// who is subscriber id at address email, in the order they were stored:
// those that name them, and those that name no reader but one of their
// addresses (addressOnlyEvents). The two sets cannot overlap: the second
// has no reader.
func (s *Store) eventsOf(ctx context.Context, id int64, email string) ([]ExportEvent, error) {
	mine, err := storedEvents(ctx, s.db.Read, `WHERE subscriber_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("export events: %w", err)
	}
	theirs, err := addressOnlyEvents(ctx, s.db.Read, email, mine)
	if err != nil {
		return nil, fmt.Errorf("export events: %w", err)
	}
	mine = append(mine, theirs...)
	slices.SortFunc(mine, func(a, b storedEvent) int { return cmp.Compare(a.id, b.id) })
	return plainEvents(mine), nil
}

// addressOnlyEvents returns the events that name no reader but one of the
// addresses of the person at email, whose events under their id are mine.
// An event names only an address when it came for one that was no
// reader's at the time (a complaint after the row was gone, an earlier
// address of theirs after an editor gave them another) or from a relay's
// webhook that gave nothing else; it is still about the person, so their
// export shows it and their erasure blanks it.
//
// Their earlier addresses are known only from the events recorded for
// them while they had them (the events table keeps the address each
// event was about; the subscriber row keeps only the latest): an address
// that drew no event under their id is not theirs as far as the database
// can tell. An event names its address as the relay wrote it, so
// addresses are compared as signup stores them (NormalizeEmail, then
// EmailKey).
func addressOnlyEvents(ctx context.Context, q sqlite.Querier, email string, mine []storedEvent) ([]storedEvent, error) {
	keys := map[string]bool{EmailKey(email): true}
	for _, e := range mine {
		if k := addressKey(e.Email); k != "" {
			keys[k] = true
		}
	}
	// The part before the @ is ASCII and kept as typed, only its case
	// may differ: SQLite's LIKE, which folds ASCII case, narrows the rows
	// to those worth normalising here. The events without a reader have
	// no index of their own, so this is one pass over the table either
	// way; an export or an erasure is a rare request.
	var like []string
	var args []any
	seen := map[string]bool{}
	for k := range keys {
		at := strings.LastIndexByte(k, '@')
		if at <= 0 || seen[k[:at]] {
			continue
		}
		seen[k[:at]] = true
		like = append(like, `email LIKE ? ESCAPE '\'`)
		args = append(args, escapeLike(k[:at])+"@%")
	}
	if len(like) == 0 {
		return nil, nil
	}
	found, err := storedEvents(ctx, q, `WHERE subscriber_id IS NULL AND (`+strings.Join(like, " OR ")+`) ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	var out []storedEvent
	for _, e := range found {
		if keys[addressKey(e.Email)] || keys[EmailKey(e.Email)] {
			out = append(out, e)
		}
	}
	return out, nil
}

// A storedEvent is an ExportEvent with its row's id, which orders events
// found by two queries as they were stored.
type storedEvent struct {
	id int64
	ExportEvent
}

// storedEvents returns the events that where (a WHERE clause, with its ORDER
// BY) selects.
func storedEvents(ctx context.Context, q sqlite.Querier, where string, args ...any) ([]storedEvent, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, kind, campaign_id, source, status, diagnostic, email, at
		FROM events `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storedEvent
	for rows.Next() {
		var e storedEvent
		if e.ExportEvent, err = scanExportEvent(idFirst{rows, &e.id}); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// idFirst scans a row's first column, its id, into id and the rest into
// what Scan is given, so that scanExportEvent reads a row with its id.
type idFirst struct {
	r  scanner
	id *int64
}

func (f idFirst) Scan(dest ...any) error { return f.r.Scan(append([]any{f.id}, dest...)...) }

// plainEvents drops the ids of es: an empty slice, not nil, when there is
// none, as the export's JSON has a list either way.
func plainEvents(es []storedEvent) []ExportEvent {
	out := make([]ExportEvent, len(es))
	for i, e := range es {
		out[i] = e.ExportEvent
	}
	return out
}

// addressKey is the EmailKey of an address as signup would store it
// (its domain lower-cased, in its xn-- form), or "" when signup would
// refuse it.
func addressKey(raw string) string {
	email, msg := NormalizeEmail(raw)
	if msg != "" {
		return ""
	}
	return EmailKey(email)
}

// escapeLike makes s match itself in a LIKE pattern whose escape
// character is a backslash.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
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
