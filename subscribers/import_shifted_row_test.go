package subscribers

import (
	"context"
	"strings"
	"testing"
)

// A name such as Smith, Frank left unquoted on a line whose last cell is
// empty shifts every cell after it, and the extra cell it makes is the
// empty one: the line gets the quote error, not a fault of the shifted
// cells (a list "Frank" the report would offer to create). Empty cells
// past the header on a line that reads well are a spreadsheet's padding.
func TestImportShiftedRowWithEmptyLastCell(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"four columns", "email,name,lists,status\n" +
			"frank@example.com,Smith, Frank,news,\n" +
			"greta@example.com,Greta,news,\n",
			`the line has 5 cells, but the first line names 4 columns: put in quotes a cell that holds a comma, like "Smith, John", name each column in the first line, or remove the cells past the last one`},
		{"five columns", "email,name,lists,status,attributes\n" +
			"frank@example.com,Smith, Frank,news,confirmed,\n" +
			"greta@example.com,Greta,news,,\n",
			`the line has 6 cells, but the first line names 5 columns: put in quotes a cell that holds a comma, like "Smith, John", name each column in the first line, or remove the cells past the last one`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			rep, err := s.Import(context.Background(), strings.NewReader(tc.in), ImportOptions{Confirmed: true})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Added != 1 || rep.Invalid != 1 || len(rep.InvalidLines) != 1 {
				t.Fatalf("report %+v, want greta added and frank invalid", rep)
			}
			if got := rep.InvalidLines[0]; got.Line != 2 || got.Reason != tc.want {
				t.Errorf("line %d: %q, want line 2: %q", got.Line, got.Reason, tc.want)
			}
			if len(rep.UnknownLists) != 0 {
				t.Errorf("unknown lists %q: the shifted cells are no slugs to create", rep.UnknownLists)
			}
		})
	}
}

// A line wider than the header with a bad address keeps the address's
// fault: the email cell comes before any shift. A real unknown list on a
// line as wide as the header is still reported to create.
func TestImportShiftedRowKeepsOtherFaults(t *testing.T) {
	s := newStore(t)
	in := "email,name,lists\n" +
		"not-an-address,Lee,news,,\n" +
		"kay@example.com,Kay,nope\n" +
		"lee@example.com,Lee,news,,\n"
	rep, err := s.Import(context.Background(), strings.NewReader(in), ImportOptions{Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 1 || rep.Invalid != 2 {
		t.Fatalf("report %+v, want lee added, two invalid", rep)
	}
	if r := rep.InvalidLines[0].Reason; !strings.HasPrefix(r, "email: ") {
		t.Errorf("line 2: %q, want the address's fault", r)
	}
	if len(rep.UnknownLists) != 1 || rep.UnknownLists[0] != "nope" {
		t.Errorf("unknown lists %q, want [nope]", rep.UnknownLists)
	}
}
