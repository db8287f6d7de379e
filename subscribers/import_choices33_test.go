package subscribers

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// A file without a line of column names is read as email and name. One
// whose first line has more cells (an export that lost its header line)
// is refused before anything is stored, with or without a list, naming
// the line to add: its other cells used to be dropped without a word, an
// unsubscribed reader imported pending and mailed a confirmation. Empty
// cells at the end of a line are nothing to lose; a later line with more
// cells than two is invalid, its reason saying so.
func TestImportHeaderlessRowOfMoreColumns(t *testing.T) {
	s := newStore(t)
	gone := "gone1@example.com,Gone One,news,unsubscribed\nann@example.com,Ann\n"
	for _, list := range []string{"news", ""} {
		rep, err := s.Import(t.Context(), strings.NewReader(gone), ImportOptions{List: list})
		if bulletin.ErrorCode(err) != bulletin.EINVALID || errors.Is(err, ErrNoListsColumn) {
			t.Fatalf("list %q: error %v, want the missing header line's", list, err)
		}
		msg := bulletin.ErrorMessage(err)
		for _, want := range []string{"The first line is a reader's row of 4 columns", "“email,name,lists,status”"} {
			if !strings.Contains(msg, want) {
				t.Errorf("list %q: %q lacks %q", list, msg, want)
			}
		}
		if rep.Added+rep.Updated != 0 {
			t.Errorf("list %q: report %+v, want nothing stored", list, rep)
		}
	}
	if got := listsByEmail(t, s); len(got) != 0 {
		t.Errorf("stored %v, want no one", got)
	}

	in := "ann@example.com,Ann,,\n" +
		"bo@example.com,Bo,staff\n" +
		"cy@example.com,Cy\n"
	rep, err := s.Import(t.Context(), strings.NewReader(in), ImportOptions{List: "news", Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 2 || rep.Invalid != 1 || len(rep.InvalidLines) != 1 || rep.InvalidLines[0].Line != 2 ||
		!strings.Contains(rep.InvalidLines[0].Reason, "the line has 3 columns") || !strings.Contains(rep.InvalidLines[0].Reason, "“email,name,lists”") {
		t.Errorf("report %+v, want ann and cy added, bo's line 2 invalid for its third column", rep)
	}
	if diff := cmp.Diff(map[string]string{"ann@example.com": "news", "cy@example.com": "news"}, listsByEmail(t, s)); diff != "" {
		t.Errorf("lists (-want +got):\n%s", diff)
	}
}

// ConfirmedRows counts the rows a file marks confirmed, in any case, as
// an export writes them: those an import that does not vouch for consent
// would store pending and mail. A file without a status column, or
// without a header, or refused as a whole, has none.
func TestConfirmedRows(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     int
	}{
		{"export", "email,name,lists,status\na@example.com,A,news,confirmed\nb@example.com,B,news,pending\nc@example.com,C,news,Confirmed\nd@example.com,D,news,unsubscribed\n", 2},
		{"semicolons, bad line between", "\uFEFFEmail;Status\na@example.com;confirmed\n\"b@example.com;x\n c@example.com;confirmed \n", 2},
		{"no status column", "email,name\na@example.com,confirmed\n", 0},
		{"no header", "a@example.com,confirmed\n", 0},
		{"no email column", "name,status\nA,confirmed\n", 0},
		{"empty", "", 0},
	} {
		if got := ConfirmedRows(strings.NewReader(tt.in)); got != tt.want {
			t.Errorf("%s: %d confirmed rows, want %d", tt.name, got, tt.want)
		}
	}
}

// FindList reads a slug as typed, in any case and with spaces around it;
// its not-found error quotes the slug as typed.
func TestFindListInAnyCase(t *testing.T) {
	s := newStore(t)
	for _, slug := range []string{"news", "NEWS", " News "} {
		l, err := s.FindList(t.Context(), slug)
		if err != nil || l.Slug != "news" {
			t.Errorf("FindList(%q) = %+v, %v, want news", slug, l, err)
		}
	}
	_, err := s.FindList(t.Context(), "Nope")
	if bulletin.ErrorCode(err) != bulletin.ENOTFOUND || bulletin.ErrorMessage(err) != `There is no list "Nope".` {
		t.Errorf("FindList(Nope): %v", err)
	}
}
