package subscribers

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// newRepeatStore is a store with the two lists of the repeat tests.
func newRepeatStore(t *testing.T) *Store {
	t.Helper()
	s := newStore(t)
	for _, l := range []*List{{Slug: "daily-news", Name: "Daily News"}, {Slug: "the-weekly", Name: "The Weekly"}} {
		if err := s.CreateList(context.Background(), l); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// readerOn returns the stored reader of email, their name, status and lists.
func readerOn(t *testing.T, s *Store, email string) (name, status string, lists []string) {
	t.Helper()
	sub, err := s.ByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(sub.Lists)
	return sub.Name, sub.Status, sub.Lists
}

// repeatFile is the walkthrough's file: Ann on line 2 and again on line
// 9, for another list under another name, six readers between.
func repeatFile(status9 string) string {
	var b strings.Builder
	b.WriteString("email,name,lists,status\nann@example.com,Ann,daily-news,\n")
	for _, who := range []string{"bo", "cy", "di", "ed", "flo", "gus"} {
		b.WriteString(who + "@example.com,,daily-news,\n")
	}
	b.WriteString("ann@example.com,Ann again,the-weekly," + status9 + "\n")
	return b.String()
}

// A repeat of an address joins its first line's lists to its own, the
// first line's name kept, and the report says so: The Weekly was lost
// without a word before.
func TestImportRepeatJoinsItsListsToTheFirstLine(t *testing.T) {
	s := newRepeatStore(t)
	rep, err := s.Import(context.Background(), strings.NewReader(repeatFile("")), ImportOptions{Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []LineNote{{Line: 9, Email: "ann@example.com",
		Reason: "repeats line 2, which takes its list “The Weekly” too; its name “Ann again” was not used (line 2's is kept)"}}
	if diff := cmp.Diff(want, rep.MergedLines); diff != "" {
		t.Errorf("merged lines (-want +got):\n%s", diff)
	}
	if rep.Added != 7 || rep.Merged != 1 || rep.Skipped != 0 || rep.Lines != 1+rep.Added+rep.Merged {
		t.Errorf("report %+v, want 7 added, 1 merged and none skipped of 9 lines", rep)
	}
	name, status, lists := readerOn(t, s, "ann@example.com")
	if name != "Ann" || status != StatusConfirmed || !slices.Equal(lists, []string{"daily-news", "the-weekly"}) {
		t.Errorf("Ann is %q, %s, on %v; want Ann, confirmed, on daily-news and the-weekly", name, status, lists)
	}
}

// A pending reader's merged lists are pending with the first line's, in
// the one confirmation mail the import queues for them.
func TestImportRepeatOfAPendingReaderAsksOnce(t *testing.T) {
	s := newRepeatStore(t)
	rep, err := s.Import(context.Background(), strings.NewReader(repeatFile("")), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pending != 7 || rep.Asked != 0 {
		t.Errorf("report %+v, want 7 pending and none asked again", rep)
	}
	_, status, lists := readerOn(t, s, "ann@example.com")
	if status != StatusPending || !slices.Equal(lists, []string{"daily-news", "the-weekly"}) {
		t.Errorf("Ann is %s on %v; want pending on daily-news and the-weekly", status, lists)
	}
}

// A repeat that says the reader left (unsubscribed) names lists they
// left: it is skipped, joining none of them, and the report says what it
// asked.
func TestImportRepeatOfAnotherStatusIsSkippedAndSaysWhat(t *testing.T) {
	s := newRepeatStore(t)
	rep, err := s.Import(context.Background(), strings.NewReader(repeatFile("unsubscribed")), ImportOptions{Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []LineNote{{Line: 9, Email: "ann@example.com",
		Reason: "repeats line 2 with another status (unsubscribed; line 2's is confirmed), so it was skipped: " +
			"a line that says unsubscribed names lists the reader left, which a repeat does not sign them up to; " +
			"its status unsubscribed, its list “The Weekly” and its name “Ann again” were not applied"}}
	if diff := cmp.Diff(want, rep.SkippedLines); diff != "" {
		t.Errorf("skipped lines (-want +got):\n%s", diff)
	}
	name, status, lists := readerOn(t, s, "ann@example.com")
	if name != "Ann" || status != StatusConfirmed || !slices.Equal(lists, []string{"daily-news"}) {
		t.Errorf("Ann is %q, %s, on %v; want Ann, confirmed, on daily-news only", name, status, lists)
	}
}

// A repeat read after its first line was stored, with an earlier batch,
// changes nothing (merging then would mail a pending reader a second
// confirmation), and says what it asked that the reader lacks (a name the
// import keeps is said kept, not to be imported on its own); a repeat
// the stored reader has all of is a plain repeat.
func TestImportRepeatAfterItsBatchSaysWhatWasNotApplied(t *testing.T) {
	s := newRepeatStore(t)
	in := repeatFile("") + "bo@example.com,,daily-news,\n"
	rep, err := s.Import(context.Background(), strings.NewReader(in), ImportOptions{BatchSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := []LineNote{
		{Line: 9, Email: "ann@example.com", Reason: "repeats line 2, stored before this line was read (rows are stored 3 at a time, and a repeat joins its first line within them): " +
			"its list “The Weekly” was not applied; import this line on its own to apply it; " +
			"name not changed: the file says “Ann again”, the reader's stored name “Ann” is kept"},
		{Line: 10, Email: "bo@example.com", Reason: "repeats line 3"},
	}
	if diff := cmp.Diff(want, rep.SkippedLines); diff != "" {
		t.Errorf("skipped lines (-want +got):\n%s", diff)
	}
	if rep.Added != 7 || rep.Skipped != 2 || rep.Pending != 7 || rep.Asked != 0 || rep.Updated != 0 {
		t.Errorf("report %+v, want 7 added (pending), 2 skipped, none updated or asked", rep)
	}
	name, _, lists := readerOn(t, s, "ann@example.com")
	if name != "Ann" || !slices.Equal(lists, []string{"daily-news"}) {
		t.Errorf("Ann is %q on %v; want Ann on daily-news, as line 2 stored her", name, lists)
	}
}
