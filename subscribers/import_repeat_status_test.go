package subscribers

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// newDeskStore is a store with the lists of the tester's file.
func newDeskStore(t *testing.T) *Store {
	t.Helper()
	s := newStore(t)
	for _, l := range []*List{{Slug: "morning-brief", Name: "Morning Brief"}, {Slug: "editions-speciales", Name: "Éditions spéciales"},
		{Slug: "sports-desk", Name: "Sports Desk"}} {
		if err := s.CreateList(context.Background(), l); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// A repeat with another status, pending or confirmed, still joins its
// lists to its first line's, as one with the same status does: only its
// status (and name) are not applied, which the report says. It used to
// be skipped whole, Sports Desk lost.
func TestImportRepeatOfAnotherStatusJoinsItsLists(t *testing.T) {
	for _, tt := range []struct {
		name, first, repeat, status, reason string
		pending                             int
	}{
		{"pending after confirmed", "", "pending", StatusConfirmed,
			"repeats line 3, which takes its list “Sports Desk” too; its status pending and its name “Robert” were not used (line 3's are kept)", 0},
		{"confirmed after pending", "pending", "confirmed", StatusPending,
			"repeats line 3, which takes its list “Sports Desk” too; its status confirmed and its name “Robert” were not used (line 3's are kept)", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newDeskStore(t)
			in := "email;name;lists;status;attributes\n" +
				"\"BOB@Example.com\";Bob Ünicode-Žižek;\"morning-brief;editions-speciales\";" + tt.first + ";\n" +
				"bob@example.com;Robert;sports-desk;" + tt.repeat + ";\n"
			in = "sep=;\n" + in
			rep, err := s.Import(context.Background(), strings.NewReader(in), ImportOptions{Confirmed: true})
			if err != nil {
				t.Fatal(err)
			}
			want := []LineNote{{Line: 4, Email: "bob@example.com", Reason: tt.reason}}
			if diff := cmp.Diff(want, rep.MergedLines); diff != "" {
				t.Errorf("merged lines (-want +got):\n%s", diff)
			}
			if rep.Added != 1 || rep.Merged != 1 || rep.Skipped != 0 || rep.Pending != tt.pending {
				t.Errorf("report %+v, want 1 added, 1 merged, none skipped, %d pending", rep, tt.pending)
			}
			name, status, lists := readerOn(t, s, "bob@example.com")
			if want := []string{"editions-speciales", "morning-brief", "sports-desk"}; name != "Bob Ünicode-Žižek" || status != tt.status || !slices.Equal(lists, want) {
				t.Errorf("Bob is %q, %s, on %v; want Bob Ünicode-Žižek, %s, on %v", name, status, lists, tt.status, want)
			}
		})
	}
}

// A repeat of a line that says the reader left joins nothing to them: it
// is skipped, and the report says why and what it asked.
func TestImportRepeatOfALineThatLeftIsSkipped(t *testing.T) {
	s := newDeskStore(t)
	in := "email;lists;status\nbob@example.com;morning-brief;unsubscribed\nbob@example.com;sports-desk;\n"
	rep, err := s.Import(context.Background(), strings.NewReader(in), ImportOptions{Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []LineNote{{Line: 3, Email: "bob@example.com", Reason: "repeats line 2 with another status (confirmed; line 2's is unsubscribed), so it was skipped: " +
		"a reader whom line 2 says unsubscribed is not signed up to a repeat's lists; its status confirmed and its list “Sports Desk” were not applied"}}
	if diff := cmp.Diff(want, rep.SkippedLines); diff != "" {
		t.Errorf("report lines (-want +got):\n%s", diff)
	}
	sub, err := s.ByEmail(context.Background(), "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if sub.Status != StatusUnsubscribed || slices.Contains(sub.Lists, "sports-desk") {
		t.Errorf("Bob is %s on %v; want unsubscribed, not on sports-desk", sub.Status, sub.Lists)
	}
}
