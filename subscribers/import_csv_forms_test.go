package subscribers

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// A CSV saved with a byte-order mark whose header cells are quoted (as
// Excel's and LibreOffice's "quote all" exports write them) must still be
// read by its header: the status column says this reader unsubscribed,
// and an import must never make them confirmed and put them on a list.
func TestImportBOMQuotedHeaderKeepsColumns(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	in := "\ufeff\"email\",\"name\",\"lists\",\"status\"\r\n" +
		"\"ann@example.com\",\"Ann\",\"staff\",\"unsubscribed\"\r\n"
	rep, err := s.Import(ctx, strings.NewReader(in), ImportOptions{List: "news", Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Invalid != 0 {
		t.Errorf("the header line was refused: %+v", rep.InvalidLines)
	}
	page, _, err := s.List(ctx, Filter{Limit: 10})
	if err != nil || len(page) != 1 {
		t.Fatalf("stored %d readers, %v", len(page), err)
	}
	if got := page[0]; got.Status != StatusUnsubscribed || slices.Contains(got.Lists, "news") {
		t.Errorf("a reader the file marks unsubscribed was stored %s on %v", got.Status, got.Lists)
	}
}

// A file of bare addresses saved with a byte-order mark has no header to
// take the mark off: the first address must be stored without it.
func TestImportBOMHeaderlessFirstAddress(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	in := "\ufeffann@example.com,Ann\nbo@example.com,Bo\n"
	rep, err := s.Import(ctx, strings.NewReader(in), ImportOptions{List: "news", Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 2 || rep.Invalid != 0 {
		t.Fatalf("report %+v, want 2 added", rep)
	}
	page, _, err := s.List(ctx, Filter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var emails []string
	for _, sub := range page {
		emails = append(emails, sub.Email)
	}
	slices.Sort(emails)
	if want := []string{"ann@example.com", "bo@example.com"}; !slices.Equal(emails, want) {
		t.Errorf("stored %q, want %q", emails, want)
	}
}

// A reader who left a list from their preferences page is not put back
// on it by an import of a file naming that list (the README: "A reader
// already stored is updated but never unsubscribed or brought back"),
// least of all by one that does not even vouch for consent. The report
// says why the line did nothing.
func TestImportDoesNotRejoinListReaderLeft(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if err := s.CreateList(ctx, &List{Slug: "sport", Name: "Sport", Public: true}); err != nil {
		t.Fatal(err)
	}
	sub, err := s.Create(ctx, &NewSubscriber{Email: "ann@example.com", Name: "Ann", Status: StatusConfirmed, Lists: []string{"news", "sport"}})
	if err != nil {
		t.Fatal(err)
	}
	// Ann unticks News on her preferences page and keeps Sport.
	if err := s.SetPreferences(ctx, sub.ID, Preferences{Name: "Ann", Frequency: "daily", Lists: []string{"sport"}}); err != nil {
		t.Fatal(err)
	}
	// The publisher imports last year's file of News readers again.
	rep, err := s.Import(ctx, strings.NewReader("email,name,lists\nann@example.com,Ann,news\n"), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(got.Lists, "news") {
		t.Errorf("import put Ann back on the list she left: lists %v, report %+v", got.Lists, rep)
	}
	if rep.Updated != 0 || rep.Skipped != 1 || len(rep.SkippedLines) != 1 ||
		rep.SkippedLines[0].Line != 2 || !strings.Contains(rep.SkippedLines[0].Reason, "left “News”") {
		t.Errorf("report %+v, want line 2 skipped as having left news", rep)
	}

	// With --list news and a list she is not on, she joins only that one.
	if err := s.CreateList(ctx, &List{Slug: "food", Name: "Food", Public: true}); err != nil {
		t.Fatal(err)
	}
	rep, err = s.Import(ctx, strings.NewReader("email,name,lists\nann@example.com,Ann,food\n"), ImportOptions{List: "news", Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, err = s.Get(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	slices.Sort(got.Lists)
	if want := []string{"food", "sport"}; !slices.Equal(got.Lists, want) || rep.Updated != 1 {
		t.Errorf("lists %v, report %+v; want %v and one update", got.Lists, rep, want)
	}
}

// Spreadsheets in locales that write decimal commas (the export guards
// cells for them) save "CSV" with ';' between cells. Such a file does
// have a lists column; the import must read it, or say that the cells
// are separated by ';', not that there is no lists column.
func TestImportSemicolonFileSaysWhatIsWrong(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	rep, err := s.Import(ctx, strings.NewReader("email;name;lists\nann@example.com;Ann;news\n"), ImportOptions{Confirmed: true})
	if err == nil && rep.Added == 1 {
		page, _, err := s.List(ctx, Filter{Limit: 10})
		if err != nil || len(page) != 1 || page[0].Name != "Ann" || !slices.Equal(page[0].Lists, []string{"news"}) {
			t.Errorf("stored %+v, %v; want Ann on news", page, err)
		}
		return
	}
	if err == nil || !strings.Contains(err.Error(), ";") {
		t.Errorf("a ';'-separated file: err %v, report %+v; want it imported, or an error that names the ';' separator", err, rep)
	}
}

// In a ';'-separated file a quoted cell keeps its commas: a name written
// surname first, and lists separated by commas rather than ';'.
func TestImportSemicolonFileQuotedCommas(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	in := "\ufeff\"email\";\"name\";\"lists\"\r\n" +
		"ann@example.com;\"Lee, Ann\";\"news,staff\"\r\n" +
		"bo@example.com;Bo;\"news;staff\"\r\n"
	rep, err := s.Import(ctx, strings.NewReader(in), ImportOptions{Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 2 || rep.Invalid != 0 {
		t.Fatalf("report %+v, want 2 added", rep)
	}
	page, _, err := s.List(ctx, Filter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, sub := range page {
		names[sub.Email] = sub.Name
		if lists := slices.Sorted(slices.Values(sub.Lists)); !slices.Equal(lists, []string{"news", "staff"}) {
			t.Errorf("%s is on %v, want news and staff", sub.Email, lists)
		}
	}
	if names["ann@example.com"] != "Lee, Ann" || names["bo@example.com"] != "Bo" {
		t.Errorf("names %q", names)
	}
}

// Sniffing the separator leaves a file of bare addresses alone, with or
// without a second column, and a one-column header stays comma-separated
// (a row with a cell past it is TestImportCellsPastTheHeader's).
func TestImportSeparatorLeavesCommaFilesAlone(t *testing.T) {
	for _, in := range []string{
		"ann@example.com\nbo@example.com\n",
		"ann@example.com,Ann\nbo@example.com,Bo\n",
		"email\nann@example.com\nbo@example.com\n",
		"email\nann@example.com,\nbo@example.com\n",
	} {
		s := newStore(t)
		rep, err := s.Import(context.Background(), strings.NewReader(in), ImportOptions{List: "news", Confirmed: true})
		if err != nil || rep.Added != 2 || rep.Invalid != 0 {
			t.Errorf("%q: report %+v, %v; want 2 added", in, rep, err)
		}
	}
}

// A header whose cells are separated by something else, such as tabs,
// stops the import with what to do, rather than a line per reader saying
// their address is not one.
func TestImportOtherSeparatorSaysCommas(t *testing.T) {
	for _, in := range []string{
		"email\tname\tlists\nann@example.com\tAnn\tnews\n",
		"\ufeffEmail|Name\nann@example.com|Ann\n",
	} {
		s := newStore(t)
		rep, err := s.Import(context.Background(), strings.NewReader(in), ImportOptions{List: "news"})
		if err == nil || !strings.Contains(err.Error(), "commas") {
			t.Errorf("%q: err %v, report %+v; want an error saying cells are separated by commas", in, err, rep)
		}
	}
}
