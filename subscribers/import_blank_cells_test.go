package subscribers

import (
	"strings"
	"testing"
)

// A row whose every cell is empty or spaces, as Excel and LibreOffice
// write at the end of a sheet (",", ";;;", "  ,,,"), is blank, as an
// empty line is: not an invalid row whose email cell is empty. One with
// anything in a cell, a name without an address, is still invalid.
func TestImportRowOfEmptyCellsIsBlank(t *testing.T) {
	for _, tt := range []struct {
		name, in       string
		blank, invalid int
	}{
		{"commas at the end", "email,name,lists\nann@example.com,Ann,news\nbo@example.com,Bo,news\n,,\n,,\n", 2, 0},
		{"one comma", "email,name\nann@example.com,Ann\n,\nbo@example.com,Bo\n", 1, 0},
		{"semicolons", "email;name;lists\nann@example.com;Ann;news\n;\n;;\nbo@example.com;Bo;news\n", 2, 0},
		{"spaces between cells", "email,name,lists\nann@example.com,Ann,news\n  ,,,\n \t, ,\r\nbo@example.com,Bo,news\n", 2, 0},
		{"quoted empty cells", "email,name\nann@example.com,Ann\n\"\",\"  \"\nbo@example.com,Bo\n", 1, 0},
		{"without a header", "ann@example.com,Ann\nbo@example.com,Bo\n,\n", 1, 0},
		{"a name alone", "email,name\nann@example.com,Ann\n,Cy\nbo@example.com,Bo\n,,\n", 1, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			rep, err := s.Import(t.Context(), strings.NewReader(tt.in), ImportOptions{List: "news", Confirmed: true})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Added != 2 || rep.Invalid != tt.invalid || rep.Blank != tt.blank {
				t.Errorf("report %+v, want 2 added, %d invalid, %d blank", rep, tt.invalid, tt.blank)
			}
			header := 0
			if rep.Header {
				header = 1
			}
			if n := header + rep.Blank + rep.Continued + rep.Added + rep.Invalid; n != rep.Lines {
				t.Errorf("%d lines accounted for, of %d", n, rep.Lines)
			}
		})
	}
}
