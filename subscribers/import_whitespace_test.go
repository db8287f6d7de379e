package subscribers

import (
	"strings"
	"testing"
)

// A line of spaces and tabs only is blank, as an empty line is: skipped,
// not an invalid row without an address. Before the header too, where
// the header is still found, and its semicolons; inside a quoted cell it
// is part of the cell.
func TestImportSpacesOnlyLinesAreBlank(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		blank    int
	}{
		{"between rows", "email,name\nann@example.com,Ann\n   \n\t\n \t \r\nbo@example.com,Bo\n", 3},
		{"at the end", "email,name\nann@example.com,Ann\nbo@example.com,Bo\n  ", 1},
		{"before the header", " \n\t\nemail;name\nann@example.com;Ann\nbo@example.com;Bo\n", 2},
		{"in a note over lines", "email,name,note\nann@example.com,Ann,\"one\n  \ntwo\"\nbo@example.com,Bo,\n", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			rep, err := s.Import(t.Context(), strings.NewReader(tt.in), ImportOptions{List: "news", Confirmed: true})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Added != 2 || rep.Invalid != 0 || rep.Blank != tt.blank || !rep.Header {
				t.Errorf("report %+v, want 2 added, none invalid, %d blank, a header", rep, tt.blank)
			}
			if n := 1 + rep.Blank + rep.Continued + rep.Added; n != rep.Lines {
				t.Errorf("%d lines accounted for, of %d", n, rep.Lines)
			}
		})
	}
}
