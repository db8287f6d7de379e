package subscribers

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/unicode/norm"
)

// A name in polytonic Greek is found by its letters typed in monotonic
// Greek or without accents, in capitals or not, and by the polytonic
// letters themselves, whichever way either is typed: the fold kept the
// breathings, the perispomeni, the iota subscript and the length marks,
// so "Αλεξανδρος" did not find "Ἀλέξανδρος", nor "Σωκρατης" "Σωκρᾰτης".
// Names stored decomposed, before NormalizeName, and one stored with the
// oxia form of an accent, which NFC makes the tonos, are found too.
func TestSearchFoldsPolytonicGreek(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	names := []string{"Ἀλέξανδρος Παπᾶς", "ἈΛΈΞΑΝΔΡΟΣ ΜΑΚΕΔΏΝ", "Αλεξανδρος Ιωάννου", "Σωκρᾰτης Ἁγνός", "ᾨδὴ Ῥόδου", "ᾼδης Εὐφροσύνη",
		"Ὀδυσσεὺς Ἰθακήσιος"}
	for i, name := range names {
		if _, err := s.Create(ctx, &NewSubscriber{Email: fmt.Sprintf("r%d@example.com", i), Name: name, Status: StatusConfirmed, Lists: []string{"news"}}); err != nil {
			t.Fatal(err)
		}
	}
	// Stored decomposed, and with an oxia (U+1F79 for "ό"), as before
	// NormalizeName.
	kostas, oxia := norm.NFD.String("Ἀλέξανδρος Κῶστας"), "Ἀλεξάνδρου Ῥ\u1f79δης"
	for i, name := range []string{kostas, oxia} {
		if _, err := s.db.Write.ExecContext(ctx, `INSERT INTO subscribers (email, email_key, name, status, created_at, updated_at)
			VALUES (?, ?, ?, 'confirmed', '2026-01-01', '2026-01-01')`, fmt.Sprint("d", i, "@example.com"), fmt.Sprint("d", i, "@example.com"), name); err != nil {
			t.Fatal(err)
		}
	}
	alexandros := []string{"Ἀλέξανδρος Παπᾶς", "ἈΛΈΞΑΝΔΡΟΣ ΜΑΚΕΔΏΝ", "Αλεξανδρος Ιωάννου", kostas}
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"Αλεξανδρος", alexandros},
		{"Αλέξανδρος", alexandros},
		{"Ἀλέξανδρος", alexandros},
		{"ἀλέξανδρος", alexandros},
		{"ἈΛΈΞΑΝΔΡΟΣ", alexandros},
		{"ΑΛΕΞΑΝΔΡΟΣ", alexandros},
		{"αλεξανδροσ", alexandros},
		{"ἁλεξάνδρος", alexandros},
		{norm.NFD.String("Ἀλέξανδρος"), alexandros},
		{"αλεξανδρ", append(slices.Clone(alexandros), oxia)},
		{"Αλεξανδρος Παπας", []string{"Ἀλέξανδρος Παπᾶς"}},
		{"παπάς", []string{"Ἀλέξανδρος Παπᾶς"}},
		{"ΠΑΠΑΣ", []string{"Ἀλέξανδρος Παπᾶς"}},
		{"μακεδων", []string{"ἈΛΈΞΑΝΔΡΟΣ ΜΑΚΕΔΏΝ"}},
		{"Σωκρατης", []string{"Σωκρᾰτης Ἁγνός"}},
		{"ΣΩΚΡΆΤΗΣ", []string{"Σωκρᾰτης Ἁγνός"}},
		{"σωκρᾱτης αγνος", []string{"Σωκρᾰτης Ἁγνός"}},
		{"ὠδη", []string{"ᾨδὴ Ῥόδου"}},
		{"ωδη ροδου", []string{"ᾨδὴ Ῥόδου"}},
		{"ᾠδῇ", []string{"ᾨδὴ Ῥόδου"}},
		{"ῥοδ", []string{"ᾨδὴ Ῥόδου", oxia}},
		{"ροδης", []string{oxia}},
		{"Αδης", []string{"ᾼδης Εὐφροσύνη"}},
		{"ᾳδης", []string{"ᾼδης Εὐφροσύνη"}},
		{"ευφροσυνη", []string{"ᾼδης Εὐφροσύνη"}},
		{"Οδυσσευς", []string{"Ὀδυσσεὺς Ἰθακήσιος"}},
		{"ὈΔΥΣΣΕΎΣ ΙΘΑΚΗΣΙΟΣ", []string{"Ὀδυσσεὺς Ἰθακήσιος"}},
		{"κωστας", []string{kostas}},
		{"Κῶστας", []string{kostas}},
		{"Αλεξανδρος Κωστας", []string{kostas}},
		// The iota subscript is read as no letter, and an iota written
		// after the vowel is one.
		{"ωιδη", nil},
		{"αλεξανδρα", nil},
	} {
		if diff := cmp.Diff(slices.Sorted(slices.Values(tc.want)), searchNames(t, s, tc.q)); diff != "" {
			t.Errorf("search %q (-want +got):\n%s", tc.q, diff)
		}
	}
}

// Every letter of the Greek Extended block folds to its base letter in
// lower case, as typed and decomposed, a capital, one with an iota
// adscript ("ᾼ") and one with an oxia ("Ά") included; the block's
// spacing accents are no letter, and separate words.
func TestPolytonicFoldEveryLetter(t *testing.T) {
	db := sqlitetest.Open(t)
	ctx := context.Background()
	fold := func(s string) string {
		var f sql.NullString
		if err := db.Read.QueryRowContext(ctx, `SELECT `+foldSQL("?"), s).Scan(&f); err != nil {
			t.Fatal(err)
		}
		return f.String
	}
	letters := 0
	for r := rune(0x1f00); r <= 0x1fff; r++ {
		if !unicode.IsLetter(r) {
			if unicode.IsPrint(r) {
				if got := fold("ab" + string(r) + "cd"); got != "ab cd" {
					t.Errorf("fold of %U between letters: %q, want two words", r, got)
				}
			}
			continue
		}
		letters++
		base := string(unicode.ToLower([]rune(norm.NFD.String(string(r)))[0]))
		for _, s := range []string{string(r), norm.NFD.String(string(r))} {
			if got := fold("κ" + s + "σ"); got != "κ"+base+"σ" {
				t.Errorf("fold of %U %+q: %q, want %q", r, s, got, "κ"+base+"σ")
			}
		}
	}
	if letters != 218 {
		t.Errorf("%d letters in the Greek Extended block, want 218", letters)
	}
}

// The triggers keep the fold of a name in polytonic Greek in name_fold
// as the search gives it its needle, inserted and renamed, through the
// store as through SQL of its own.
func TestNameFoldPolytonicInsertedAndRenamed(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	searchFold := func(name string) string {
		var f string
		if err := s.db.Read.QueryRowContext(ctx, `SELECT `+foldSQL("?"), name).Scan(&f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	stored := func(id int64) string {
		var f sql.NullString
		if err := s.db.Read.QueryRowContext(ctx, `SELECT name_fold FROM subscribers WHERE id = ?`, id).Scan(&f); err != nil {
			t.Fatal(err)
		}
		return f.String
	}
	i := 0
	for name, want := range map[string]string{
		"Ἀλέξανδρος Παπᾶς":                  "αλεξανδροσ παπασ",
		norm.NFD.String("ᾨδὴ Ῥόδου"):        "ωδη ροδου",
		"ΣΩΚΡᾸΤΗΣ ᾼΔΗΣ":                     "σωκρατησ αδησ",
		"Zoë Ἀ–Ω":                           "zoe α ω",
		"Αλεξάνδρα Ἀλεξάνδρου  Фёдор Zoë ø": "αλεξανδρα αλεξανδρου федор zoe o",
	} {
		if got := searchFold(name); got != want {
			t.Errorf("fold of %q: %q, want %q", name, got, want)
		}
		i++
		sub, err := s.Create(ctx, &NewSubscriber{Email: fmt.Sprintf("r%d@example.com", i), Name: name, Status: StatusConfirmed, Lists: []string{"news"}})
		if err != nil {
			t.Fatal(err)
		}
		if got := stored(sub.ID); got != want {
			t.Errorf("%q created: name_fold %q, want %q", name, got, want)
		}
		renamed := "Ὀδυσσεὺς " + sub.Name
		if _, err := s.Update(ctx, sub.ID, &Patch{Name: &renamed}); err != nil {
			t.Fatal(err)
		}
		if got := stored(sub.ID); got != "οδυσσευσ "+want {
			t.Errorf("%q renamed: name_fold %q, want %q", renamed, got, "οδυσσευσ "+want)
		}
		// Renamed by SQL of its own, decomposed, which the store would
		// have composed.
		if _, err := s.db.Write.ExecContext(ctx, `UPDATE subscribers SET name = ? WHERE id = ?`, norm.NFD.String(name), sub.ID); err != nil {
			t.Fatal(err)
		}
		if got := stored(sub.ID); got != want {
			t.Errorf("%q renamed decomposed: name_fold %q, want %q", name, got, want)
		}
	}
}

// A needle in polytonic Greek is one instr a row, as one in monotonic
// Greek: the fold finds the names stored decomposed, which no GLOB needs
// to look for, and the one GLOB of the fold is on the needle, once.
func TestSearchPolytonicNoGlobARow(t *testing.T) {
	for _, q := range []string{"Ἀλέξανδρος", "ᾼΔΗΣ", "ᾠδῇ", "Σωκρᾰτης", "ῥόδου", norm.NFD.String("Ἀλέξανδρος")} {
		cond, args := nameSearch(q)
		if strings.Contains(cond, "name GLOB") || len(args) != 1 {
			t.Errorf("search %q: %s %q; want one instr a row", q, cond, args)
		}
	}
}
