package subscribers

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A list slug in an import file, or given for the whole file, names its
// list in any case: people write "News" for news. A slug named twice in
// two cases joins its list once. Only ASCII is folded: "ſtaff" (with a
// long s, which Unicode folds to s) names no list.
func TestImportSlugsInAnyCase(t *testing.T) {
	s := newStore(t)
	in := "email,lists\n" +
		"ann@example.com,News\n" +
		"bo@example.com,news;NEWS;Staff\n" +
		"cy@example.com, STAFF \n" +
		"di@example.com,ſtaff\n"
	rep, err := s.Import(t.Context(), strings.NewReader(in), ImportOptions{Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 3 || rep.Invalid != 1 || len(rep.InvalidLines) != 1 || rep.InvalidLines[0].Line != 5 {
		t.Errorf("report %+v, want ann, bo and cy added, di's line 5 invalid", rep)
	}
	if diff := cmp.Diff([]string{"ſtaff"}, rep.UnknownLists); diff != "" {
		t.Errorf("unknown lists (-want +got):\n%s", diff)
	}
	want := map[string]string{"ann@example.com": "news", "bo@example.com": "news,staff", "cy@example.com": "staff"}
	if diff := cmp.Diff(want, listsByEmail(t, s)); diff != "" {
		t.Errorf("lists (-want +got):\n%s", diff)
	}

	rep, err = s.Import(t.Context(), strings.NewReader("email\ned@example.com\n"), ImportOptions{List: "Staff", Confirmed: true})
	if err != nil || rep.Added != 1 {
		t.Fatalf("import with the list Staff: %+v, %v", rep, err)
	}
	if got := listsByEmail(t, s)["ed@example.com"]; got != "staff" {
		t.Errorf("ed's lists: %q, want staff", got)
	}
}

// listsByEmail returns each subscriber's lists, their slugs in order and
// joined by commas.
func listsByEmail(t *testing.T, s *Store) map[string]string {
	t.Helper()
	rows, err := s.db.Read.Query(`SELECT s.email, group_concat(l.slug, ',' ORDER BY l.slug) FROM subscribers s
		JOIN subscriptions x ON x.subscriber_id = s.id JOIN lists l ON l.id = x.list_id GROUP BY s.email`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var email, lists string
		if err := rows.Scan(&email, &lists); err != nil {
			t.Fatal(err)
		}
		out[email] = lists
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
