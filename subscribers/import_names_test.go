package subscribers

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// namesFixture stores the readers of the name tests, each on News, and
// returns their ids by address: ann named herself at signup, bo on her
// preferences page, cy has no name, di and ed have theirs.
func namesFixture(t *testing.T, s *Store) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	ids := map[string]int64{}
	for _, r := range []struct{ email, name string }{
		{"ann@example.com", "Ann Lee"},
		{"bo@example.com", ""},
		{"cy@example.com", ""},
		{"di@example.com", "Di Ross"},
		{"ed@example.com", "Ed Park"},
	} {
		sub, err := s.Create(ctx, &NewSubscriber{Email: r.email, Name: r.name, Status: StatusConfirmed, Lists: []string{"news"}})
		if err != nil {
			t.Fatal(err)
		}
		ids[r.email] = sub.ID
	}
	// bo types her name on her preferences page.
	if err := s.SetPreferences(ctx, ids["bo@example.com"], Preferences{Name: "Bo Chen", Frequency: "daily", Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	return ids
}

// namesFile is an old CRM file of the fixture's readers: other names for
// ann and bo, one for cy who has none, an empty name cell for di, and
// another name for ed with a list he is not on.
const namesFile = "email,name,lists\n" +
	"ann@example.com,Ann Smith,news\n" + // 2
	"bo@example.com,B. Chen,news\n" + // 3
	"cy@example.com,Cy Young,news\n" + // 4
	"di@example.com,,news\n" + // 5
	"ed@example.com,Edward Park,news;staff\n" + // 6
	"fay@example.com,Fay Wu,news\n" // 7

func storedNames(t *testing.T, s *Store, ids map[string]int64) map[string]string {
	t.Helper()
	out := map[string]string{}
	for email, id := range ids {
		sub, err := s.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		out[email] = sub.Name
	}
	return out
}

// By default an import keeps the name a stored reader has, which they may
// have typed themselves: the file's other name is noted as not applied,
// on a line skipped when nothing else of it changes the reader (not
// counted as updated), on a line noted when its lists update them. A
// reader without a name gets the file's, and an empty cell erases none.
func TestImportKeepsStoredNames(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	ids := namesFixture(t, s)
	const hint = "--overwrite-names replaces stored names"
	rep, err := s.Import(ctx, strings.NewReader(namesFile), ImportOptions{Confirmed: true, KeptNameHint: hint})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 1 || rep.Updated != 2 || rep.Skipped != 3 || rep.Invalid != 0 || rep.Noted != 1 {
		t.Errorf("report %+v, want 1 added (fay), 2 updated (cy named, ed on staff), 3 skipped (ann, bo, di), 1 noted (ed)", rep)
	}
	kept := func(file, stored string) string {
		return "name not changed: the file says “" + file + "”, the reader's stored name “" + stored + "” is kept; " + hint
	}
	wantSkipped := []LineNote{
		{Line: 2, Email: "ann@example.com", Reason: kept("Ann Smith", "Ann Lee")},
		{Line: 3, Email: "bo@example.com", Reason: kept("B. Chen", "Bo Chen")},
		{Line: 5, Email: "di@example.com", Reason: "already on the list"},
	}
	if diff := cmp.Diff(wantSkipped, rep.SkippedLines); diff != "" {
		t.Errorf("skipped lines (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]LineNote{{Line: 6, Email: "ed@example.com", Reason: kept("Edward Park", "Ed Park")}}, rep.NotedLines); diff != "" {
		t.Errorf("noted lines (-want +got):\n%s", diff)
	}
	want := map[string]string{
		"ann@example.com": "Ann Lee",
		"bo@example.com":  "Bo Chen",
		"cy@example.com":  "Cy Young",
		"di@example.com":  "Di Ross",
		"ed@example.com":  "Ed Park",
	}
	if diff := cmp.Diff(want, storedNames(t, s, ids)); diff != "" {
		t.Errorf("names after the import (-want +got):\n%s", diff)
	}
	ed, err := s.Get(ctx, ids["ed@example.com"])
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ed.Lists, ","); got != "news,staff" {
		t.Errorf("ed's lists after the import = %s, want news,staff: a kept name does not stop the rest of the line", got)
	}

	// The same file again changes nothing: every line is skipped.
	again, err := s.Import(ctx, strings.NewReader(namesFile), ImportOptions{Confirmed: true, KeptNameHint: hint})
	if err != nil {
		t.Fatal(err)
	}
	if again.Added != 0 || again.Updated != 0 || again.Skipped != 6 || again.Noted != 0 {
		t.Errorf("report of the file imported again %+v, want 6 skipped", again)
	}
}

// With OverwriteNames (--overwrite-names), the file's names replace the
// stored ones and nothing is noted of them; an empty cell still erases
// no name.
func TestImportOverwriteNames(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	ids := namesFixture(t, s)
	rep, err := s.Import(ctx, strings.NewReader(namesFile), ImportOptions{Confirmed: true, OverwriteNames: true, KeptNameHint: "unused"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 1 || rep.Updated != 4 || rep.Skipped != 1 || rep.Invalid != 0 || rep.Noted != 0 {
		t.Errorf("report %+v, want 1 added, 4 updated, 1 skipped (di), nothing noted", rep)
	}
	if diff := cmp.Diff([]LineNote{{Line: 5, Email: "di@example.com", Reason: "already on the list"}}, rep.SkippedLines); diff != "" {
		t.Errorf("skipped lines (-want +got):\n%s", diff)
	}
	want := map[string]string{
		"ann@example.com": "Ann Smith",
		"bo@example.com":  "B. Chen",
		"cy@example.com":  "Cy Young",
		"di@example.com":  "Di Ross",
		"ed@example.com":  "Edward Park",
	}
	if diff := cmp.Diff(want, storedNames(t, s, ids)); diff != "" {
		t.Errorf("names after the import (-want +got):\n%s", diff)
	}
}

// A name cell of spaces is empty too: it erases no stored name, with or
// without OverwriteNames, and notes nothing.
func TestImportBlankNameCellKeepsName(t *testing.T) {
	for _, overwrite := range []bool{false, true} {
		s := newStore(t)
		ctx := context.Background()
		sub, err := s.Create(ctx, &NewSubscriber{Email: "ann@example.com", Name: "Ann Lee", Status: StatusConfirmed, Lists: []string{"news"}})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := s.Import(ctx, strings.NewReader("email,name,lists\nann@example.com,   ,news\n"), ImportOptions{Confirmed: true, OverwriteNames: overwrite})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Updated != 0 || rep.Skipped != 1 || rep.Noted != 0 {
			t.Errorf("overwrite %v: report %+v, want the line skipped, nothing noted", overwrite, rep)
		}
		if got, err := s.Get(ctx, sub.ID); err != nil || got.Name != "Ann Lee" {
			t.Errorf("overwrite %v: ann after the import = %+v, %v; want her name Ann Lee kept", overwrite, got, err)
		}
	}
}

// A repeat of an address whose first line was stored with an earlier
// batch does not advise importing it on its own for a name the import
// would keep all the same: the note says the name is kept.
func TestImportRepeatStoredKeptName(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.Create(ctx, &NewSubscriber{Email: "ann@example.com", Name: "Ann Lee", Status: StatusConfirmed, Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	in := "email,name,lists\nann@example.com,,news\nann@example.com,Ann Smith,news\n"
	rep, err := s.Import(ctx, strings.NewReader(in), ImportOptions{Confirmed: true, BatchSize: 1, KeptNameHint: "hint"})
	if err != nil {
		t.Fatal(err)
	}
	want := []LineNote{
		{Line: 2, Email: "ann@example.com", Reason: "already on the list"},
		{Line: 3, Email: "ann@example.com", Reason: "repeats line 2; name not changed: the file says “Ann Smith”, the reader's stored name “Ann Lee” is kept; hint"},
	}
	if diff := cmp.Diff(want, rep.SkippedLines); diff != "" {
		t.Errorf("skipped lines (-want +got):\n%s", diff)
	}
}
