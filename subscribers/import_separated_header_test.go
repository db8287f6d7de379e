package subscribers

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// A header separated by semicolons or tabs that names no email column is
// refused naming its columns as the spreadsheet showed them, one by one,
// not as one column "name;city"; and saying what to do: semicolons are
// read, so naming the address column is enough, while a tab file is to be
// saved as CSV as well. A quoted semicolon header used to be no header at
// all: two lines refused as malformed CSV, and the import went on.
func TestImportSeparatedHeaderWithoutEmailNamesItsColumns(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"semicolons", "name;city\nAnn;Oslo\n",
			[]string{"the columns “name”, “city”, separated by semicolons", "Name the column of addresses “email”"}},
		{"quoted, semicolons", "\ufeff\"name\";\"city\"\r\n\"Ann\";\"Oslo\"\r\n",
			[]string{"the columns “name”, “city”, separated by semicolons", "Name the column of addresses “email”"}},
		{"tabs", "name\tcity\tMail\r\nAnn\tOslo\tann@example.com\r\n",
			[]string{"the columns “name”, “city”, “Mail”, separated by tabs", "Save the file as CSV, with commas"}},
		{"bars", "name|city\nAnn|Oslo\n",
			[]string{"the columns “name”, “city”, separated by “|”", "Save the file as CSV, with commas"}},
		{"Excel's sep=; line", "sep=;\nname;city\nAnn;Oslo\n",
			[]string{"the columns “name”, “city”, separated by semicolons"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			ctx := context.Background()
			storeAnn(t, s)
			rep, err := s.Import(ctx, strings.NewReader(tt.in), ImportOptions{List: "news", Confirmed: true})
			if bulletin.ErrorCode(err) != bulletin.EINVALID || !errors.Is(err, ErrNoEmailColumn) {
				t.Fatalf("err %v, report %+v; want the import stopped for want of an email column", err, rep)
			}
			msg := bulletin.ErrorMessage(err)
			if !strings.HasPrefix(msg, "The file has no email column: ") {
				t.Errorf("message %q does not begin as the CLI expects", msg)
			}
			for _, want := range tt.want {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
			if rep.Added+rep.Updated+rep.Invalid+rep.Skipped != 0 {
				t.Errorf("report %+v: lines were read as rows", rep)
			}
			annUnchanged(t, s)
		})
	}
}

// A tab-separated file whose address column has any name an email column
// goes by, first or not, is refused saying its cells are separated by
// tabs and to save it as CSV, as one headed "email" is; "email_address"
// and "EmailAddress" used to get the message of a file with no email
// column, naming one column "email_address\uFFFDname", and so did an
// address column that is not the first.
func TestImportTabHeaderEmailAliasesSaySaveAsCSV(t *testing.T) {
	for _, head := range []string{
		"email\tname", "E-mail\tname", "Email Address\tname", "email_address\tname", "EmailAddress\tname",
		"E-Mail Address\tname", "\"email_address\"\t\"name\"", "name\tEmail Address", "name\temail",
	} {
		s := newStore(t)
		storeAnn(t, s)
		in := head + "\r\nann@example.com\tAnn Other\r\nbo@example.com\tBo\r\n"
		rep, err := s.Import(context.Background(), strings.NewReader(in), ImportOptions{List: "news", Confirmed: true})
		msg := bulletin.ErrorMessage(err)
		if bulletin.ErrorCode(err) != bulletin.EINVALID || errors.Is(err, ErrNoEmailColumn) ||
			msg != "The first line names the columns, but its cells are separated by tabs, not commas: save the file as CSV, with commas (or semicolons) between the cells." {
			t.Errorf("%q: err %v, report %+v; want the tab file refused, to be saved as CSV", head, err, rep)
			continue
		}
		annUnchanged(t, s)
	}
}

// storeAnn stores the reader annUnchanged checks.
func storeAnn(t *testing.T, s *Store) {
	t.Helper()
	if _, err := s.Create(context.Background(), &NewSubscriber{Email: "ann@example.com", Name: "Ann", Status: StatusConfirmed,
		Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
}

// annUnchanged checks that the reader storeAnn stored is the only one
// stored, as she was: a file refused takes nothing away and adds nothing.
func annUnchanged(t *testing.T, s *Store) {
	t.Helper()
	page, _, err := s.List(context.Background(), Filter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 1 || page[0].Email != "ann@example.com" || page[0].Name != "Ann" || page[0].Status != StatusConfirmed ||
		len(page[0].Lists) != 1 || page[0].Lists[0] != "news" {
		t.Errorf("stored %+v, want Ann alone, as she was", page)
	}
}
