package subscribers

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// A first line that names columns but no email column stops the import
// before any line is read as a row, list chosen or not: its message says
// so, names the columns the file has and the names an address column
// goes by. It used to say the file had no lists column (it has one), or,
// with a list, read the header as a bad address and every row after it
// with the address in the first column.
func TestImportHeaderWithoutEmailColumnStops(t *testing.T) {
	tests := []struct {
		name, in string
		list     string
		columns  []string // as the message names them
	}{
		{"lists column, no list chosen", "name,lists\nX,news\n", "", []string{"“name”", "“lists”"}},
		{"lists column, a list chosen", "name,lists\nX,news\n", "news", []string{"“name”", "“lists”"}},
		{"an unknown name", "Subscriber Email,Name\nann@example.com,Ann\n", "news", []string{"the columns “Subscriber Email”, “Name”"}},
		{"one column", "Mail\nann@example.com\nbo@example.com\n", "news", []string{"the column “Mail”"}},
		{"address column second", "Name;Mail\nAnn;ann@example.com\n", "news", []string{"the columns “Name”, “Mail”, separated by semicolons"}},
		// A terminal shows the message: an escape sequence in a cell is
		// not passed on.
		{"a control character", "Na\x1b[31mme,lists\nX,news\n", "news", []string{"“Na\uFFFD[31mme”"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			ctx := context.Background()
			rep, err := s.Import(ctx, strings.NewReader(tt.in), ImportOptions{List: tt.list, Confirmed: true})
			if bulletin.ErrorCode(err) != bulletin.EINVALID || !errors.Is(err, ErrNoEmailColumn) {
				t.Fatalf("err %v, report %+v; want the import stopped for want of an email column", err, rep)
			}
			msg := bulletin.ErrorMessage(err)
			for _, want := range append([]string{"The file has no email column", "“email”", "“email address”"}, tt.columns...) {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
			if strings.Contains(msg, "no lists column") {
				t.Errorf("message %q speaks of a lists column", msg)
			}
			if rep.Added+rep.Updated+rep.Invalid+rep.Skipped != 0 {
				t.Errorf("report %+v: lines were read as rows", rep)
			}
			page, _, err := s.List(ctx, Filter{Limit: 10})
			if err != nil || len(page) != 0 {
				t.Errorf("stored %d readers (%v), want none", len(page), err)
			}
		})
	}
}

// The common spellings of an email column are read as one, in any case:
// Mailchimp's "Email Address", "email_address", "E-Mail".
func TestImportEmailColumnAliases(t *testing.T) {
	for _, head := range []string{"email", "Email Address", "EMAIL", "e-mail", "E-Mail Address", "email_address", "EmailAddress"} {
		s := newStore(t)
		ctx := context.Background()
		rep, err := s.Import(ctx, strings.NewReader("name,"+head+"\nAnn,ann@example.com\n"), ImportOptions{List: "news", Confirmed: true})
		if err != nil {
			t.Errorf("%s: %v", head, err)
			continue
		}
		if rep.Added != 1 || !rep.Header {
			t.Errorf("%s: report %+v, want the header read and one reader added", head, rep)
		}
	}
}

// A file without a header line is read as before, address first, also
// when its first line is not one: that line alone is invalid, if it
// holds an @ (as a row does) or no letter (as no column name does).
func TestImportHeaderlessFilesStillImport(t *testing.T) {
	tests := []struct {
		name, in string
		invalid  []int
	}{
		{"addresses", "ann@example.com,Ann\nbo@example.com\n", nil},
		{"a bad first address", "ann@@example.com,Ann\nbo@example.com,Bo\n", []int{1}},
		{"a first line of numbers", "12345,678\nbo@example.com,Bo\n", []int{1}},
		{"a first line not CSV, then one without an @", "a\"b@example.com,A\nbob,Bob\ncy@example.com,Cy\n", []int{1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			rep, err := s.Import(context.Background(), strings.NewReader(tt.in), ImportOptions{List: "news", Confirmed: true})
			if err != nil {
				t.Fatal(err)
			}
			var lines []int
			for _, n := range rep.InvalidLines {
				lines = append(lines, n.Line)
			}
			if rep.Header || !slices.Equal(lines, tt.invalid) || rep.Added == 0 {
				t.Errorf("report %+v; want no header, invalid lines %v and the rest added", rep, tt.invalid)
			}
		})
	}
}
