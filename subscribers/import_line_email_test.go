package subscribers

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Every line a report lists says whose it is: a skipped line its address,
// an invalid one its email cell as the file has it (cut short when long),
// so the operator can find the row without counting lines.
func TestImportLinesSayWhose(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.Create(ctx, &NewSubscriber{Email: "left@example.com", Status: StatusUnsubscribed}); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 100)
	in := "email,name,frequency\n" +
		"ann@example.com,Ann,daily\n" + // 2 added
		"  not-an-address ,Bad,daily\n" + // 3 invalid address
		"bo@example.com,Bo,hourly\n" + // 4 invalid frequency
		"Ann@example.com,Ann again,daily\n" + // 5 repeat
		"left@example.com,Left,daily\n" + // 6 unsubscribed
		long + ",Long,daily\n" + // 7 invalid, long
		"a \"b\" c,Q,daily\n" // 8 malformed CSV: no cell to show
	rep, err := s.Import(ctx, strings.NewReader(in), ImportOptions{List: "news", Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	type note struct {
		Line  int
		Email string
	}
	whose := func(notes []LineNote) []note {
		var out []note
		for _, n := range notes {
			out = append(out, note{n.Line, n.Email})
		}
		return out
	}
	wantInvalid := []note{{3, "not-an-address"}, {4, "bo@example.com"}, {7, strings.Repeat("x", maxNoteEmail) + "…"}, {8, ""}}
	if diff := cmp.Diff(wantInvalid, whose(rep.InvalidLines)); diff != "" {
		t.Errorf("invalid lines (-want +got):\n%s", diff)
	}
	wantSkipped := []note{{5, "Ann@example.com"}, {6, "left@example.com"}}
	if diff := cmp.Diff(wantSkipped, whose(rep.SkippedLines)); diff != "" {
		t.Errorf("skipped lines (-want +got):\n%s", diff)
	}
}
