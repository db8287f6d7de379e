package subscribers

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// An import leaves a stored reader's digest frequency as it is, the
// reader's to choose on their preferences page; a line whose frequency
// differs from it says so, as a line's status does, whether the line is
// skipped or updates the reader. A line of the same frequency, or with an
// empty frequency cell, notes nothing; a new reader is stored with the
// line's.
func TestImportLeavesStoredReaderFrequency(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if err := s.CreateList(ctx, &List{Slug: "tide-tables", Name: "Tide Tables", Public: true}); err != nil {
		t.Fatal(err)
	}
	stored := map[string]string{ // address → the frequency they chose
		"alice@example.com": "daily",
		"bo@example.com":    "daily",
		"cy@example.com":    "weekly",
		"di@example.com":    "weekly",
		"ed@example.com":    "daily",
	}
	ids := map[string]int64{}
	for _, email := range []string{"alice@example.com", "bo@example.com", "cy@example.com", "di@example.com", "ed@example.com"} {
		sub, err := s.Create(ctx, &NewSubscriber{Email: email, Status: StatusConfirmed, Lists: []string{"tide-tables"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetPreferences(ctx, sub.ID, Preferences{Frequency: stored[email], Lists: []string{"tide-tables"}}); err != nil {
			t.Fatal(err)
		}
		ids[email] = sub.ID
	}
	in := "email,name,lists,frequency\n" +
		"alice@example.com,,tide-tables,weekly\n" + // 2 skipped, noted
		"bo@example.com,Bo,tide-tables;news,Weekly\n" + // 3 updated, noted
		"cy@example.com,,tide-tables,daily\n" + // 4 skipped, noted
		"di@example.com,,tide-tables,\n" + // 5 empty cell: already on the list
		"ed@example.com,,tide-tables,daily\n" + // 6 the same: already on the list
		"fay@example.com,Fay,tide-tables,weekly\n" // 7 added, weekly
	rep, err := s.Import(ctx, strings.NewReader(in), ImportOptions{Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 1 || rep.Updated != 1 || rep.Skipped != 4 || rep.Invalid != 0 || rep.Noted != 1 {
		t.Errorf("report %+v, want 1 added, 1 updated with a note, 4 skipped", rep)
	}
	note := func(file, kept string) string {
		return "frequency not changed: the file says " + file + ", but an import leaves a stored reader's frequency as they chose it (" + kept + "); change it on their page"
	}
	if diff := cmp.Diff([]LineNote{{Line: 3, Email: "bo@example.com", Reason: note("weekly", "daily")}}, rep.NotedLines); diff != "" {
		t.Errorf("noted lines (-want +got):\n%s", diff)
	}
	wantSkipped := []LineNote{
		{Line: 2, Email: "alice@example.com", Reason: note("weekly", "daily")},
		{Line: 4, Email: "cy@example.com", Reason: note("daily", "weekly")},
		{Line: 5, Email: "di@example.com", Reason: "already on the list"},
		{Line: 6, Email: "ed@example.com", Reason: "already on the list"},
	}
	if diff := cmp.Diff(wantSkipped, rep.SkippedLines); diff != "" {
		t.Errorf("skipped lines (-want +got):\n%s", diff)
	}
	for email, want := range stored {
		got, err := s.Get(ctx, ids[email])
		if err != nil {
			t.Fatal(err)
		}
		if got.Frequency != want {
			t.Errorf("%s's frequency after the import = %s, want %s as they chose", email, got.Frequency, want)
		}
	}
	if bo, err := s.Get(ctx, ids["bo@example.com"]); err != nil || bo.Name != "Bo" {
		t.Errorf("bo after the import = %+v, %v; want the name Bo, from the line", bo, err)
	}
	var fay string
	if err := s.db.Read.QueryRow(`SELECT frequency FROM subscribers WHERE email_key = ?`, EmailKey("fay@example.com")).Scan(&fay); err != nil {
		t.Fatal(err)
	}
	if fay != "weekly" {
		t.Errorf("fay, added, has frequency %s, want weekly as the line says", fay)
	}
}

// A line that says unsubscribed and another frequency gets both notes.
func TestImportFrequencyNoteJoinsStatusNote(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.Create(ctx, &NewSubscriber{Email: "ann@example.com", Name: "Ann", Status: StatusConfirmed, Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	in := "email,name,lists,status,frequency\nann@example.com,Ann,news,unsubscribed,weekly\n"
	rep, err := s.Import(ctx, strings.NewReader(in), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []LineNote{{Line: 2, Email: "ann@example.com", Reason: "status not changed: the file says unsubscribed, but an import leaves a stored reader's status as it is (still confirmed); change it on their page; " +
		"frequency not changed: the file says weekly, but an import leaves a stored reader's frequency as they chose it (daily); change it on their page"}}
	if diff := cmp.Diff(want, rep.SkippedLines); diff != "" {
		t.Errorf("skipped lines (-want +got):\n%s", diff)
	}
}
