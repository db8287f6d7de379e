package subscribers

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// subscriptionStatuses returns reader id's subscriptions, list slug →
// status.
func subscriptionStatuses(t *testing.T, s *Store, id int64) map[string]string {
	t.Helper()
	rows, err := s.db.Read.Query(`SELECT l.slug, sub.status FROM subscriptions sub JOIN lists l ON l.id = sub.list_id WHERE sub.subscriber_id = ?`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var slug, st string
		if err := rows.Scan(&slug, &st); err != nil {
			t.Fatal(err)
		}
		out[slug] = st
	}
	return out
}

// A line for a stored reader whose status column says unsubscribed or
// bounced updates the reader's name (OverwriteNames); the status is left as stored, and
// the line's lists, which it says they left, are not joined (as a new
// reader's are recorded as left); the report notes both on an updated
// line.
func TestImportUpdatesStoredReaderWhoseLineSaysUnsubscribed(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if err := s.CreateList(ctx, &List{Slug: "bad-tz", Name: "Bad TZ", Public: true}); err != nil {
		t.Fatal(err)
	}
	ann, err := s.Create(ctx, &NewSubscriber{Email: "reader1@example.org", Name: "Ann", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	bo, err := s.Create(ctx, &NewSubscriber{Email: "reader2@example.org", Name: "Bo", Status: StatusPending, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	in := "email,name,lists,status,attributes\n" +
		"reader1@example.org,Ann Updated,bad-tz,unsubscribed,\n" +
		"reader2@example.org,Bo Updated,bad-tz,bounced,\n"
	rep, err := s.Import(ctx, strings.NewReader(in), ImportOptions{OverwriteNames: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 0 || rep.Updated != 2 || rep.Skipped != 0 || rep.Invalid != 0 || rep.Noted != 2 {
		t.Errorf("report %+v, want 2 updated with a note each, none skipped", rep)
	}
	want := []LineNote{
		{Line: 2, Email: "reader1@example.org", Reason: "status not changed: the file says unsubscribed, but an import leaves a stored reader's status as it is (still confirmed); change it on their page; not added to “Bad TZ”, which the line says they left"},
		{Line: 3, Email: "reader2@example.org", Reason: "status not changed: the file says bounced, but an import leaves a stored reader's status as it is (still pending); change it on their page; not added to “Bad TZ”, which the line says they left"},
	}
	if diff := cmp.Diff(want, rep.NotedLines); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		id     int64
		name   string
		status string
		subs   map[string]string
	}{
		{ann.ID, "Ann Updated", StatusConfirmed, map[string]string{"news": SubActive}},
		{bo.ID, "Bo Updated", StatusPending, map[string]string{"news": SubPending}},
	} {
		got, err := s.Get(ctx, tt.id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != tt.name || got.Status != tt.status {
			t.Errorf("reader %d after the import: %q %s, want %q %s", tt.id, got.Name, got.Status, tt.name, tt.status)
		}
		if diff := cmp.Diff(tt.subs, subscriptionStatuses(t, s, tt.id)); diff != "" {
			t.Errorf("reader %d's subscriptions (-want +got):\n%s", tt.id, diff)
		}
	}

	// The same lines again change nothing: skipped, saying the status was
	// not changed either.
	rep, err = s.Import(ctx, strings.NewReader(in), ImportOptions{OverwriteNames: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Updated != 0 || rep.Skipped != 2 || rep.Noted != 0 || len(rep.SkippedLines) != 2 ||
		rep.SkippedLines[0].Reason != "status not changed: the file says unsubscribed, but an import leaves a stored reader's status as it is (still confirmed); change it on their page; not added to “Bad TZ”, which the line says they left" {
		t.Errorf("report of unchanged lines %+v", rep)
	}
}

// A line that says unsubscribed and names a list the reader left gets one
// note saying both; a reader who unsubscribed is still never brought back.
func TestImportStatusNoteJoinsLeftNote(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	ann := annLeftNews(t, s)
	cy, err := s.Create(ctx, &NewSubscriber{Email: "cy@example.com", Name: "Cy", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Write.Exec(`UPDATE subscribers SET status = 'unsubscribed' WHERE id = ?`, cy.ID); err != nil {
		t.Fatal(err)
	}
	in := "email,name,lists,status\nann@example.com,Ann Lee,news;sport,unsubscribed\ncy@example.com,Cy Lee,news,confirmed\n"
	rep, err := s.Import(ctx, strings.NewReader(in), ImportOptions{Confirmed: true, OverwriteNames: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Updated != 1 || rep.Noted != 1 || rep.Skipped != 1 {
		t.Errorf("report %+v, want 1 updated with one note, 1 skipped", rep)
	}
	want := []LineNote{{Line: 2, Email: "ann@example.com", Reason: "status not changed: the file says unsubscribed, but an import leaves a stored reader's status as it is (still confirmed); change it on their page; left “News” on 3 November 2026; not rejoined (they unsubscribed)"}}
	if diff := cmp.Diff(want, rep.NotedLines); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
	if len(rep.SkippedLines) != 1 || rep.SkippedLines[0].Reason != "the subscriber is unsubscribed and is not signed up again by an import" {
		t.Errorf("skipped %+v, want Cy skipped as unsubscribed", rep.SkippedLines)
	}
	got, err := s.Get(ctx, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Ann Lee" || got.Status != StatusConfirmed || !slices.Equal(got.Lists, []string{"sport"}) {
		t.Errorf("Ann after the import: %q %s on %v, want Ann Lee confirmed on sport only", got.Name, got.Status, got.Lists)
	}
	if got, err := s.Get(ctx, cy.ID); err != nil || got.Name != "Cy" || got.Status != StatusUnsubscribed {
		t.Errorf("Cy after the import: %+v %v, want unchanged and unsubscribed", got, err)
	}
}
