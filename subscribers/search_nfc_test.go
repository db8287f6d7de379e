package subscribers

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// "É" composed (NFC, one code point) and decomposed (NFD, E and U+0301
// COMBINING ACUTE ACCENT): the same name as typed on different systems.
const (
	eliseNFC = "\u00c9lise Martin"
	eliseNFD = "E\u0301lise Martin"
	reneeNFC = "Ren\u00e9e Roy"
	reneeNFD = "Rene\u0301e Roy"
)

// storedName is subscriber id's name as SQLite holds it.
func storedName(t *testing.T, s *Store, id int64) string {
	t.Helper()
	var name string
	if err := s.db.Read.QueryRow(`SELECT name FROM subscribers WHERE id = ?`, id).Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}

// Filter.Q finds a name whatever Unicode form it was stored in and the
// query typed in: a name stored decomposed before names were normalised
// is found by the composed query a keyboard types, and a composed name by
// a decomposed query (as macOS may send), case folded either way.
func TestListQMatchesEitherUnicodeForm(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	var elise int64
	for _, r := range []struct{ email, name string }{{"elise@example.com", eliseNFD}, {"renee@example.com", reneeNFC}} {
		email, name := r.email, r.name
		sub, err := s.Create(ctx, &NewSubscriber{Email: email, Status: StatusConfirmed, Lists: []string{"news"}})
		if err != nil {
			t.Fatal(err)
		}
		// Written directly, as old data was: no normalisation on the way.
		if _, err := s.db.Write.Exec(`UPDATE subscribers SET name = ? WHERE id = ?`, name, sub.ID); err != nil {
			t.Fatal(err)
		}
		if email == "elise@example.com" {
			elise = sub.ID
		}
	}
	if got := storedName(t, s, elise); got != eliseNFD {
		t.Fatalf("setup: stored %q", got)
	}
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"\u00c9lise", []string{"elise@example.com"}},
		{"\u00e9lise", []string{"elise@example.com"}},
		{"\u00c9LISE MARTIN", []string{"elise@example.com"}},
		{"E\u0301lise", []string{"elise@example.com"}},
		{"Ren\u00e9e", []string{"renee@example.com"}},
		{"Rene\u0301e", []string{"renee@example.com"}},
		{"RENE\u0301E ROY", []string{"renee@example.com"}},
		{"\u00e9", []string{"elise@example.com", "renee@example.com"}},
		{"e\u0301", []string{"elise@example.com", "renee@example.com"}},
		{"\u00e8", []string{"elise@example.com", "renee@example.com"}}, // accents fold both ways (migration 076)
	} {
		page, _, err := s.List(ctx, Filter{Q: tc.q, Limit: 10})
		if err != nil {
			t.Fatalf("q %+q: %v", tc.q, err)
		}
		var got []string
		for _, sub := range page {
			got = append(got, sub.Email)
		}
		slices.Sort(got)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("q %+q (-want +got):\n%s", tc.q, diff)
		}
	}
}

// A name is stored composed (NFC) however it arrives: from the signup
// form, an import, an editor's create or change, the preferences page.
func TestNamesAreStoredNFC(t *testing.T) {
	e := newSignupEnv(t)
	s := e.store
	ctx := context.Background()
	check := func(how string, id int64, want string) {
		t.Helper()
		if got := storedName(t, s, id); got != want {
			t.Errorf("%s: stored %+q, want %+q", how, got, want)
		}
	}
	idOf := func(email string) int64 {
		t.Helper()
		var id int64
		if err := s.db.Read.QueryRow(`SELECT id FROM subscribers WHERE email_key = ?`, email).Scan(&id); err != nil {
			t.Fatalf("%s: %v", email, err)
		}
		return id
	}

	e.signup(&Signup{Email: "signup@example.com", Name: eliseNFD, Lists: []string{"news"}})
	check("signup", idOf("signup@example.com"), eliseNFC)

	rep, err := s.Import(ctx, strings.NewReader("email,name\nimport@example.com,"+reneeNFD+"\n"), ImportOptions{List: "news", Confirmed: true})
	if err != nil || rep.Added != 1 {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	check("import", idOf("import@example.com"), reneeNFC)

	sub, err := s.Create(ctx, &NewSubscriber{Email: "admin@example.com", Name: eliseNFD, Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	check("create", sub.ID, eliseNFC)
	if sub.Name != eliseNFC {
		t.Errorf("create answered the name %+q", sub.Name)
	}
	if _, err := s.Update(ctx, sub.ID, &Patch{Name: ptr(reneeNFD)}); err != nil {
		t.Fatal(err)
	}
	check("patch", sub.ID, reneeNFC)
	if err := s.SetPreferences(ctx, sub.ID, Preferences{Name: eliseNFD, Frequency: "daily", Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	check("preferences", sub.ID, eliseNFC)
}
