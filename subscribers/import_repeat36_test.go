package subscribers

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// storeLeftAnn stores ann@example.com with status, on The Daily News
// when she was signed up (Create leaves an unsubscribed reader on none).
func storeLeftAnn(t *testing.T, s *Store, status string) {
	t.Helper()
	n := &NewSubscriber{Email: "ann@example.com", Name: "Ann Stored", Status: status, Lists: []string{"daily-news"}}
	if status == StatusUnsubscribed {
		createLeft(t, s, n)
		return
	}
	if _, err := s.Create(context.Background(), n); err != nil {
		t.Fatal(err)
	}
}

// A repeat merged into the line of a stored reader who has unsubscribed
// or bounced says that no list was joined, and why, with what it asked:
// its note said it took its lists too, though an import signs no such
// reader up again, and neither line joined anything.
func TestImportRepeatOfAReaderWhoLeftJoinsNothingAndSaysSo(t *testing.T) {
	for _, status := range []string{StatusUnsubscribed, StatusBounced} {
		t.Run(status, func(t *testing.T) {
			s := newRepeatStore(t)
			storeLeftAnn(t, s, status)
			_, _, before := readerOn(t, s, "ann@example.com")
			rep, err := s.Import(context.Background(), strings.NewReader(repeatFile("")), ImportOptions{Confirmed: true})
			if err != nil {
				t.Fatal(err)
			}
			want := []LineNote{
				{Line: 2, Email: "ann@example.com", Reason: "the subscriber is " + status + " and is not signed up again by an import"},
				{Line: 9, Email: "ann@example.com", Reason: "repeats line 2, whose subscriber is " + status + " and is not signed up again by an import: " +
					"no list was joined; its list “The Weekly” and its name “Ann again” were not applied"},
			}
			if diff := cmp.Diff(want, rep.SkippedLines); diff != "" {
				t.Errorf("skipped lines (-want +got):\n%s", diff)
			}
			if rep.Added != 6 || rep.Updated != 0 || rep.Skipped != 2 || rep.Lines != 1+rep.Added+rep.Skipped {
				t.Errorf("report %+v, want 6 added and 2 skipped of 9 lines", rep)
			}
			name, got, lists := readerOn(t, s, "ann@example.com")
			if name != "Ann Stored" || got != status || !slices.Equal(lists, before) {
				t.Errorf("Ann is %q, %s, on %v; want Ann Stored, %s, on %v as before", name, got, lists, status, before)
			}
		})
	}
}

// A repeat that asks nothing more than its first line still says why it
// joined nothing, and one of a reader still subscribed still takes its
// lists, as before.
func TestImportRepeatOfAReaderWhoLeftWithNothingMore(t *testing.T) {
	s := newRepeatStore(t)
	storeLeftAnn(t, s, StatusBounced)
	if _, err := s.Create(context.Background(), &NewSubscriber{Email: "bo@example.com", Name: "Bo", Status: StatusConfirmed, Lists: []string{"daily-news"}}); err != nil {
		t.Fatal(err)
	}
	in := "email,lists\nann@example.com,daily-news\nbo@example.com,daily-news\nann@example.com,daily-news\nbo@example.com,the-weekly\n"
	rep, err := s.Import(context.Background(), strings.NewReader(in), ImportOptions{Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []LineNote{
		{Line: 2, Email: "ann@example.com", Reason: "the subscriber is bounced and is not signed up again by an import"},
		{Line: 4, Email: "ann@example.com", Reason: "repeats line 2, whose subscriber is bounced and is not signed up again by an import: no list was joined"},
	}
	if diff := cmp.Diff(want, rep.SkippedLines); diff != "" {
		t.Errorf("skipped lines (-want +got):\n%s", diff)
	}
	merged := []LineNote{{Line: 5, Email: "bo@example.com", Reason: "repeats line 3, which takes its list “The Weekly” too"}}
	if diff := cmp.Diff(merged, rep.MergedLines); diff != "" || rep.Merged != 1 || rep.Skipped != 2 {
		t.Errorf("%d merged, %d skipped; merged lines (-want +got):\n%s", rep.Merged, rep.Skipped, diff)
	}
	if _, _, lists := readerOn(t, s, "bo@example.com"); !slices.Equal(lists, []string{"daily-news", "the-weekly"}) {
		t.Errorf("Bo is on %v, want daily-news and the-weekly", lists)
	}
}

// A repeat read after its batch was stored, of a reader who has left,
// does not tell the operator to import it on its own, which would not
// sign them up again either: it says why nothing was joined.
func TestImportRepeatAfterItsBatchOfAReaderWhoLeft(t *testing.T) {
	s := newRepeatStore(t)
	storeLeftAnn(t, s, StatusUnsubscribed)
	rep, err := s.Import(context.Background(), strings.NewReader(repeatFile("")), ImportOptions{BatchSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := []LineNote{
		{Line: 2, Email: "ann@example.com", Reason: "the subscriber is unsubscribed and is not signed up again by an import"},
		{Line: 9, Email: "ann@example.com", Reason: "repeats line 2, whose subscriber is unsubscribed and is not signed up again by an import: " +
			"no list was joined; its list “The Weekly” and its name “Ann again” were not applied"},
	}
	if diff := cmp.Diff(want, rep.SkippedLines); diff != "" {
		t.Errorf("skipped lines (-want +got):\n%s", diff)
	}
	if _, status, _ := readerOn(t, s, "ann@example.com"); status != StatusUnsubscribed {
		t.Errorf("Ann is %s, want unsubscribed", status)
	}
}

// The note of a merged repeat, written when its batch is stored, keeps
// its place among the file's merged lines, whichever first line it joins;
// the lines skipped as they were read after it, more than the report
// lists, are counted and listed apart.
func TestImportMergedRepeatNoteKeepsItsPlace(t *testing.T) {
	s := newRepeatStore(t)
	var b strings.Builder
	b.WriteString("email,lists,status\nann@example.com,daily-news,\nbo@example.com,daily-news,\nbo@example.com,the-weekly,\nann@example.com,the-weekly,\n")
	for range maxNotes + 1 {
		b.WriteString("bo@example.com,daily-news,unsubscribed\n")
	}
	rep, err := s.Import(context.Background(), strings.NewReader(b.String()), ImportOptions{Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Skipped != maxNotes+1 || len(rep.SkippedLines) != maxNotes || rep.Merged != 2 {
		t.Fatalf("skipped %d, %d notes, merged %d; want %d, %d and 2", rep.Skipped, len(rep.SkippedLines), rep.Merged, maxNotes+1, maxNotes)
	}
	var lines []string
	for _, n := range rep.MergedLines {
		lines = append(lines, fmt.Sprint(n.Line, " ", n.Email))
	}
	if want := []string{"4 bo@example.com", "5 ann@example.com"}; !slices.Equal(lines, want) {
		t.Errorf("the merged lines are %q, want %q", lines, want)
	}
	if first, last := rep.SkippedLines[0].Line, rep.SkippedLines[maxNotes-1].Line; first != 6 || last != maxNotes+5 {
		t.Errorf("the skipped lines run from %d to %d, want 6 to %d", first, last, maxNotes+5)
	}
}
