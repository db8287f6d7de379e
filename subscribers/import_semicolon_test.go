package subscribers

import (
	"context"
	"strings"
	"testing"
)

// A file of lines separated by semicolons, with no header line to tell,
// is read with commas: each line's email cell is the whole line. The
// report says the line has semicolons and what to do, not that the
// address should be entered alone.
func TestImportHeaderlessSemicolonLineSaysSo(t *testing.T) {
	s := newStore(t)
	rep, err := s.Import(context.Background(), strings.NewReader("ann@example.com;Ann\nbo@example.com;Bo\n"), ImportOptions{List: "news"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Invalid != 2 || len(rep.InvalidLines) != 2 {
		t.Fatalf("report %+v, want both lines invalid", rep)
	}
	for _, n := range rep.InvalidLines {
		if n.Reason != "this line has semicolons: save the file with commas, or with a header line, so the columns are found" {
			t.Errorf("line %d: %q", n.Line, n.Reason)
		}
	}
}
