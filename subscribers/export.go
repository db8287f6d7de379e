package subscribers

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"
)

// exportHeader is the first row of ExportCSV; import reads its email and
// name columns back.
var exportHeader = []string{"email", "name", "lists", "status", "frequency", "created_at", "confirmed_at"}

// ExportCSV writes every subscriber, or those on list (a slug) when it is
// not empty, as CSV to w, paging by id so memory stays flat. It returns
// the number of subscribers written.
func (s *Store) ExportCSV(ctx context.Context, w io.Writer, list string) (int, error) {
	if list != "" {
		if _, err := s.ListBySlug(ctx, list); err != nil {
			return 0, err
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(exportHeader); err != nil {
		return 0, err
	}
	n := 0
	f := Filter{List: list, Limit: 1000}
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
	return []string{sub.Email, sub.Name, strings.Join(sub.Lists, ";"), sub.Status, sub.Frequency,
		sub.CreatedAt.UTC().Format(time.RFC3339), confirmed}
}
