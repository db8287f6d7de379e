package subscribers

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A line that updates a known reader and names a list they left is
// imported without putting them back on it, and the report says so: the
// line, the address, the list and the day they left it.
func TestImportNotesAListTheReaderLeft(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	ann := annLeftNews(t, s)

	// A file gives her a new name and both lists: the name is taken
	// (OverwriteNames), News is not, and the line says why.
	in := "email,name,lists\nbo@example.com,Bo,sport\nann@example.com,Ann Lee,news;sport\n"
	rep, err := s.Import(ctx, strings.NewReader(in), ImportOptions{OverwriteNames: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 1 || rep.Updated != 1 || rep.Skipped != 0 || rep.Noted != 1 {
		t.Errorf("report %+v, want 1 added, 1 updated with a note", rep)
	}
	want := []LineNote{{Line: 3, Email: "ann@example.com", Reason: "left “News” on 3 November 2026; not rejoined (they unsubscribed)"}}
	if diff := cmp.Diff(want, rep.NotedLines); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
	got, err := s.Get(ctx, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Ann Lee" || !slices.Equal(got.Lists, []string{"sport"}) {
		t.Errorf("Ann after the import: %q on %v, want Ann Lee on sport only", got.Name, got.Lists)
	}

	// The import's own list counts as named too; a line that changes
	// nothing else is skipped, as before, and says the day as well.
	rep, err = s.Import(ctx, strings.NewReader("email,name\nann@example.com,Ann Lee\n"), ImportOptions{List: "news"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Skipped != 1 || rep.Noted != 0 || len(rep.SkippedLines) != 1 ||
		rep.SkippedLines[0].Reason != "left “News” on 3 November 2026; an import does not sign them up again" {
		t.Errorf("report of an unchanged line %+v, want it skipped as having left News on 3 November 2026", rep)
	}
}

// A big import counts every note but lists no more than it lists of
// skipped or invalid lines.
func TestImportCapsNotes(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	n := maxNotes + 5
	// n confirmed readers who left news, stored at once.
	_, err := s.db.Write.ExecContext(ctx, `
		WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < ?)
		INSERT INTO subscribers (id, email, email_key, status, created_at, updated_at)
			SELECT n, 'r' || n || '@example.com', 'r' || n || '@example.com', 'confirmed', '2026-01-01', '2026-01-01' FROM i;
		INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at)
			SELECT s.id, l.id, 'unsubscribed', '2026-01-01', '2026-02-01 10:00:00+00:00'
			FROM subscribers s, lists l WHERE l.slug = 'news'`, n)
	if err != nil {
		t.Fatal(err)
	}
	var in strings.Builder
	in.WriteString("email,name\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&in, "r%d@example.com,Reader %d\n", i, i)
	}
	rep, err := s.Import(ctx, strings.NewReader(in.String()), ImportOptions{List: "news"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Updated != n || rep.Noted != n || len(rep.NotedLines) != maxNotes {
		t.Fatalf("updated %d, noted %d, %d notes listed; want %d, %d, %d", rep.Updated, rep.Noted, len(rep.NotedLines), n, n, maxNotes)
	}
	if last := rep.NotedLines[maxNotes-1]; last.Line != maxNotes+1 || last.Email != fmt.Sprintf("r%d@example.com", maxNotes) ||
		last.Reason != "left “News” on 1 February 2026; not rejoined (they unsubscribed)" {
		t.Errorf("last note listed: %+v", last)
	}
}

// setLeftOn dates the day reader id left list slug.
func setLeftOn(t *testing.T, s *Store, id int64, slug, at string) {
	t.Helper()
	res, err := s.db.Write.Exec(`UPDATE subscriptions SET updated_at = ? WHERE subscriber_id = ? AND status = 'unsubscribed'
		AND list_id = (SELECT id FROM lists WHERE slug = ?)`, at, id, slug)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("reader %d has not left %s", id, slug)
	}
}

// annLeftNews adds the list Sport to s and Ann, confirmed on News and
// Sport, who unticked News on her preferences page on 3 November.
func annLeftNews(t *testing.T, s *Store) *Subscriber {
	t.Helper()
	ctx := context.Background()
	if err := s.CreateList(ctx, &List{Slug: "sport", Name: "Sport", Public: true}); err != nil {
		t.Fatal(err)
	}
	ann, err := s.Create(ctx, &NewSubscriber{Email: "ann@example.com", Name: "Ann", Status: StatusConfirmed, Lists: []string{"news", "sport"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetPreferences(ctx, ann.ID, Preferences{Name: "Ann", Frequency: "daily", Lists: []string{"sport"}}); err != nil {
		t.Fatal(err)
	}
	setLeftOn(t, s, ann.ID, "news", "2026-11-03 08:00:00+00:00")
	return ann
}
