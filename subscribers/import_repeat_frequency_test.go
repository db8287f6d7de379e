package subscribers

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A repeat line whose frequency cell is empty asks for no frequency: its
// note says only what it added, not that "its frequency daily" went
// unused, which the file never said. One that names another frequency
// still says so.
func TestImportRepeatWithEmptyFrequencyCell(t *testing.T) {
	s := newStore(t)
	in := "email,name,lists,frequency\n" +
		"ann@example.com,Ann,news,weekly\n" +
		"ann@example.com,,staff,\n" +
		"bo@example.com,Bo,news,weekly\n" +
		"bo@example.com,,staff,daily\n"
	rep, err := s.Import(context.Background(), strings.NewReader(in), ImportOptions{Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []LineNote{
		{Line: 3, Email: "ann@example.com", Reason: "repeats line 2, which takes its list “Staff” too"},
		{Line: 5, Email: "bo@example.com", Reason: "repeats line 4, which takes its list “Staff” too; its frequency daily was not used (line 4's is kept)"},
	}
	if diff := cmp.Diff(want, rep.MergedLines); diff != "" {
		t.Errorf("merged lines (-want +got):\n%s", diff)
	}
	var freq string
	if err := s.db.Read.QueryRow(`SELECT frequency FROM subscribers WHERE email_key = ?`, EmailKey("ann@example.com")).Scan(&freq); err != nil || freq != "weekly" {
		t.Errorf("ann's frequency = %q, %v; want weekly, her first line's", freq, err)
	}
}
