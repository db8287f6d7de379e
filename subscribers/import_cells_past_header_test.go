package subscribers

import (
	"context"
	"strings"
	"testing"
)

// A row with a cell past the header's last column is refused, naming the
// counts and the fix: the cell belonged to no column and was dropped
// without a word, and a name such as Smith, John left unquoted shifted
// the cells after it, so that "Smith" was stored as the name, or a list
// " John" was the fault named. Empty cells at a line's end, as
// spreadsheets save them, are nothing past the header.
func TestImportCellsPastTheHeader(t *testing.T) {
	s := newStore(t)
	in := "email,name,lists\n" +
		"ann@example.com,Ann,news\n" +
		"jo@example.com,Smith, John,news\n" +
		"kay@example.com,Kay,news,extra-cell\n" +
		"lee@example.com,Lee,news,,\n"
	rep, err := s.Import(context.Background(), strings.NewReader(in), ImportOptions{Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 2 || rep.Invalid != 2 {
		t.Fatalf("report %+v, want ann and lee added, jo and kay invalid", rep)
	}
	want := map[int]string{
		3: `the line has 4 cells, but the first line names 3 columns: put in quotes a cell that holds a comma, like "Smith, John", name each column in the first line, or remove the cells past the last one`,
		4: `the line has 4 cells, but the first line names 3 columns: put in quotes a cell that holds a comma, like "Smith, John", name each column in the first line, or remove the cells past the last one`,
	}
	for _, l := range rep.InvalidLines {
		if want[l.Line] != l.Reason {
			t.Errorf("line %d (%s): %q, want %q", l.Line, l.Email, l.Reason, want[l.Line])
		}
	}
	for _, email := range []string{"jo@example.com", "kay@example.com"} {
		if _, err := s.ByEmail(context.Background(), email); err == nil {
			t.Errorf("%s was stored from a refused line", email)
		}
	}

	// One named column: "1 column", not "1 columns".
	rep, err = newStore(t).Import(context.Background(), strings.NewReader("email\nann@example.com,Ann\n"), ImportOptions{List: "news", Confirmed: true})
	if err != nil || rep.Invalid != 1 || !strings.HasPrefix(rep.InvalidLines[0].Reason, "the line has 2 cells, but the first line names 1 column:") {
		t.Errorf("one-column header: %+v, %v", rep, err)
	}
}

// In a file separated by semicolons, the usual extra cell is a lists cell
// naming several lists unquoted; the fault says so, with its own
// separator, not the comma of "Smith, John" the file has none of. Quoted,
// the lists cell is read whole.
func TestImportCellsPastTheHeaderNameTheFilesSeparator(t *testing.T) {
	s := newStore(t)
	in := "\ufeffemail;name;lists\r\ndave@example.org;Dave Smith;news;staff\r\nella@example.org;Ella;\"news;staff\"\r\n"
	rep, err := s.Import(context.Background(), strings.NewReader(in), ImportOptions{Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 1 || rep.Invalid != 1 || len(rep.InvalidLines) != 1 {
		t.Fatalf("report %+v, want ella added and dave invalid", rep)
	}
	want := `the line has 4 cells, but the first line names 3 columns: put in quotes a cell that holds a semicolon, like "daily-news;weekend" for a lists cell naming several, name each column in the first line, or remove the cells past the last one`
	if got := rep.InvalidLines[0].Reason; got != want {
		t.Errorf("dave's line: %q, want %q", got, want)
	}
	ella, err := s.ByEmail(context.Background(), "ella@example.org")
	if err != nil || len(ella.Lists) != 2 {
		t.Errorf("ella = %+v, %v; want on news and staff", ella, err)
	}
}
