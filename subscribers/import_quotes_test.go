package subscribers

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// lineTotal is what a report accounts for: every line of the file is the
// header, blank, the continuation of a quoted cell, or a row counted once.
func lineTotal(rep *ImportReport) int {
	n := rep.Blank + rep.Continued + rep.Added + rep.Updated + rep.Skipped + rep.Invalid
	if rep.Header {
		n++
	}
	return n
}

// A quote left open on line 5 does not take the 996 lines after it with
// it, and a quote not doubled inside a quoted cell on line 4 costs that
// line only: each bad line is reported, the one left open naming the line
// it opened on, every other row is imported, and the report accounts for
// every line of the file.
func TestImportUnclosedQuoteLosesNoLine(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	var in strings.Builder
	in.WriteString("email,name\n")
	for i := range 1000 {
		switch line := i + 2; line {
		case 4:
			in.WriteString("q2@example.com,\"O\"Brien, Pat\n")
		case 5:
			in.WriteString("q3@example.com,\"Unclosed name\n")
		default:
			fmt.Fprintf(&in, "r%d@example.com,Reader %d\n", line, line)
		}
	}
	rep, err := s.Import(ctx, strings.NewReader(in.String()), ImportOptions{List: "news", Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 998 || rep.Invalid != 2 {
		t.Errorf("added %d, invalid %d; want 998 and 2", rep.Added, rep.Invalid)
	}
	if rep.Lines != 1001 || lineTotal(rep) != rep.Lines {
		t.Errorf("report accounts for %d of %d lines, want 1001 of 1001: %+v", lineTotal(rep), rep.Lines, rep)
	}
	if len(rep.InvalidLines) != 2 {
		t.Fatalf("invalid lines %+v", rep.InvalidLines)
	}
	if n := rep.InvalidLines[0]; n.Line != 4 || n.Email != "q2@example.com" || !strings.Contains(n.Reason, `""`) {
		t.Errorf("line 4: %+v, want its address and how to write a quote in a quoted cell", n)
	}
	if n := rep.InvalidLines[1]; n.Line != 5 || n.Email != "q3@example.com" || !strings.Contains(n.Reason, "line 5") ||
		!strings.Contains(n.Reason, "not closed") {
		t.Errorf("line 5: %+v, want its address and that the quote opened on line 5 is not closed", n)
	}
	if got, _, err := s.List(ctx, Filter{Q: "r1001@example.com", Limit: 1}); err != nil || len(got) != 1 {
		t.Errorf("the file's last row was not imported: %v", err)
	}
}

// A quoted cell may hold a line break, as spreadsheets write a note of
// two lines: the row is read whole, and the line it runs on to is counted
// as a continuation, not a row. A quote left open, whether the file ends
// inside it or a later stray quote would close it, or a later line reads
// as a row of its own, is not such a cell: its line is reported and the
// lines after it are read on their own.
func TestImportQuotedCellAcrossLines(t *testing.T) {
	tests := []struct {
		name                                    string
		in                                      string
		added, invalid, continued, blank, lines int
		invalidLines                            []int
	}{
		{"note of two lines", "email,name,notes\nann@example.com,Ann,\"first line\r\nsecond line\"\r\nbo@example.com,Bo,x\r\n",
			2, 0, 1, 0, 4, nil},
		{"blank lines", "email,name\n\nann@example.com,Ann\n\r\n\nbo@example.com,Bo", 2, 0, 0, 3, 6, nil},
		{"open to the end", "email,name\nann@example.com,\"Ann\nnot an address\nstill not\n", 0, 3, 0, 0, 4, []int{2, 3, 4}},
		{"closed by a later stray quote", "email,name,notes\nann@example.com,Ann,\"open\nbo@example.com,Bo,x\ncy@example.com,Cy,oops\"\n",
			1, 2, 0, 0, 4, []int{2, 4}},
		{"headerless", "ann@example.com,\"Ann\nbo@example.com,Bo\n", 1, 1, 0, 0, 2, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			rep, err := s.Import(context.Background(), strings.NewReader(tt.in), ImportOptions{List: "news", Confirmed: true})
			if err != nil {
				t.Fatal(err)
			}
			got := []int{rep.Added, rep.Invalid, rep.Continued, rep.Blank, rep.Lines, lineTotal(rep)}
			want := []int{tt.added, tt.invalid, tt.continued, tt.blank, tt.lines, tt.lines}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("added, invalid, continued, blank, lines, lines accounted for (-want +got):\n%s\n%+v", diff, rep)
			}
			var lines []int
			for _, n := range rep.InvalidLines {
				lines = append(lines, n.Line)
			}
			if diff := cmp.Diff(tt.invalidLines, lines); diff != "" {
				t.Errorf("invalid lines (-want +got):\n%s\n%+v", diff, rep.InvalidLines)
			}
		})
	}
}
