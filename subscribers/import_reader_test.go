package subscribers

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// readAll reads in with a recordReader: its records, each prefixed by its
// line, and the lines of its errors.
func readAll(t testing.TB, in string, comma rune, startsRow func(string) bool) (recs [][]string, lines, bad []int, r *recordReader) {
	r = newRecordReader(bufio.NewReader(strings.NewReader(in)), comma)
	r.startsRow = startsRow
	for {
		rec, line, err := r.Read()
		var rerr *recordError
		switch {
		case err == io.EOF:
			return recs, lines, bad, r
		case errors.As(err, &rerr):
			bad = append(bad, line)
		case err != nil:
			t.Fatal(err)
		default:
			recs = append(recs, append([]string(nil), rec...))
			lines = append(lines, line)
		}
	}
}

// A recordReader reads each record with the line it starts on, lets a
// quoted cell run over lines as far as it proves to be one, and reports
// any other quote on its line alone, reading the lines after it.
func TestRecordReader(t *testing.T) {
	type test struct {
		name  string
		in    string
		recs  [][]string
		lines []int
		bad   []int
	}
	cell := strings.Repeat("c\n", maxQuotedLines-1)
	tests := []test{
		{"plain", "a,b\nc,d", [][]string{{"a", "b"}, {"c", "d"}}, []int{1, 2}, nil},
		{"quoted", "\"a,1\",\"b \"\"B\"\"\",\r\n", [][]string{{"a,1", `b "B"`, ""}}, []int{1}, nil},
		{"empty cells", ",\n\"\"\n,a\n", [][]string{{"", "a"}}, []int{3}, nil},
		{"spaces and tabs", "a\n  \n\t \r\nb\n\" \"\n \t,  ,\n", [][]string{{"a"}, {"b"}}, []int{1, 4}, nil},
		{"spaces in a cell over lines", "a,\"b\n \t\nc\"\n", [][]string{{"a", "b\n \t\nc"}}, []int{1}, nil},
		{"cell over lines", "a,\"b\r\n\r\nc\"\nd\n", [][]string{{"a", "b\n\nc"}, {"d"}}, []int{1, 4}, nil},
		{"bare quote", "a \"b\",c\nd\n", [][]string{{"d"}}, []int{2}, []int{1}},
		{"quote not doubled", "a,\"O\"Brien, Pat\"\nd\n", [][]string{{"d"}}, []int{2}, []int{1}},
		{"open to the end", "a,\"b\nc\nd", [][]string{{"c"}, {"d"}}, []int{2, 3}, []int{1}},
		{"a later line fails", "a,\"b\nc\"d\ne\n", [][]string{{"e"}}, []int{3}, []int{1, 2}},
		{"a row inside", "a,\"b\nx@example.com,c\n", [][]string{{"x@example.com", "c"}}, []int{2}, []int{1}},
		{"a cell as long as can be", "a,\"b\n" + cell + "d\"", [][]string{{"a", "b\n" + cell + "d"}}, []int{1}, nil},
		{"too long a cell", "a,\"b\n" + cell + "c\nd\"", slices.Repeat([][]string{{"c"}}, maxQuotedLines),
			seq(2, maxQuotedLines+1), []int{1, maxQuotedLines + 2}},
	}
	startsRow := func(line string) bool { return strings.HasPrefix(line, "x@") }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, lines, bad, r := readAll(t, tt.in, ',', startsRow)
			if diff := cmp.Diff(tt.recs, recs); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.lines, lines); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.bad, bad); diff != "" {
				t.Errorf("bad lines (-want +got):\n%s", diff)
			}
			if n := len(recs) + len(bad) + r.blank + r.continued; n != r.lines {
				t.Errorf("%d lines accounted for, of %d", n, r.lines)
			}
		})
	}
}

// A recordReader reads what encoding/csv reads (without LazyQuotes) as it
// does, but for a record whose every cell is empty or spaces and tabs
// (a line of them, ",,", " ; "), which it reads as blank where
// encoding/csv reads a record; what encoding/csv
// refuses it refuses too, at least one line of it; and it accounts for
// every line either way.
func FuzzRecordReader(f *testing.F) {
	for _, s := range []string{"a,b\nc,d\n", "\"a\nb\",c\r\n\n", "a,\"b\nc", "\"O\"Brien,x\ny\n", "a;\"b;c\";d\n", "\r\n\r", "\"\"\"\"\n",
		" \n\t\r\na, \n", "a,\"b\n \nc\"\n \t", "\" \"\n \r \n"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, in string, semicolon bool) {
		comma := ','
		if semicolon {
			comma = ';'
		}
		cr := csv.NewReader(strings.NewReader(in))
		cr.Comma = comma
		cr.FieldsPerRecord = -1
		var want [][]string
		var wantLines []int
		var csvErr error
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			} else if err != nil {
				csvErr = err
				break
			}
			line, _ := cr.FieldPos(0)
			if blankCells(rec) {
				continue
			}
			want, wantLines = append(want, rec), append(wantLines, line)
		}
		recs, lines, bad, r := readAll(t, in, comma, nil)
		if n := len(recs) + len(bad) + r.blank + r.continued; n != r.lines || r.lines != strings.Count(in, "\n")+btoi(!strings.HasSuffix(in, "\n") && in != "") {
			t.Fatalf("%d lines accounted for, %d read, of %q", n, r.lines, in)
		}
		if csvErr != nil {
			if len(bad) == 0 {
				t.Fatalf("encoding/csv: %v; read %q with no error", csvErr, recs)
			}
			return
		}
		if diff := cmp.Diff(want, recs); diff != "" || len(bad) > 0 {
			t.Fatalf("records of %q (-csv +got):\n%s\nbad lines %v", in, diff, bad)
		}
		if diff := cmp.Diff(wantLines, lines); diff != "" {
			t.Fatalf("lines of %q (-csv +got):\n%s", in, diff)
		}
	})
}

// seq returns the numbers from to, to.
func seq(from, to int) []int {
	var out []int
	for n := from; n <= to; n++ {
		out = append(out, n)
	}
	return out
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
