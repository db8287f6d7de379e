package subscribers

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"golang.org/x/text/unicode/norm"
)

// foldNames are names of every kind the fold meets: accented composed
// and decomposed, letters the tokenizer keeps, other alphabets, marks
// between words, and ASCII alone.
var foldNames = []string{
	"Zoë Marchetti", norm.NFD.String("Renée Dubois"), "Søren ŁUKASZ Straße", "ÆRØ Œuvre Þór Đặng Ħal Iı Ŧ",
	"Nguyễn Văn An", "Дмитрий Ёлкин", norm.NFD.String("Андрей Ёлкин"), "ΣΩΚΡΆΤΗΣ", "李小龍", "Zoë 🐝",
	"Mary-Ann O'Neil", "Ann – Editor", "Ann  Two  Spaces", "Dr. Who", "ẞIG", "Zoë  [admin]*", "O’Neil – Ed",
	"Plain Ascii", "", "ANN 2", "ΆΈΉΊΌΎΏ άέήίόύώ ΪΫ ϊϋΐΰ Ёлкин ŁØÐĐĦŦÆŒÞ łøðđħŧæœþ ıß",
}

// plainName reports whether name is of printable ASCII without two
// spaces in a row: its fold is lower(name), and it has no name_fold.
func plainName(name string) bool {
	return !strings.Contains(name, "  ") && !strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r > '~' })
}

// The fold migration 088's triggers keep in name_fold is the one the
// search gives its needle (foldSQL), for names of every kind, inserted
// and renamed; a name of printable ASCII without two spaces in a row has
// none (its fold is lower(name)), also when an accented name is changed
// to one.
func TestNameFoldColumnIsTheSearchFold(t *testing.T) {
	buf, err := os.ReadFile(filepath.Join("..", "internal", "sqlite", "migration", "086_subscribers_name_fold_polytonic.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(buf), foldSQL("NEW.name")); n != 2 {
		t.Errorf("migration 086 has the search's fold %d times, want 2 (a trigger each)", n)
	}

	db := sqlitetest.Open(t)
	ctx := context.Background()
	searchFold := func(name string) string {
		var f sql.NullString
		if err := db.Read.QueryRowContext(ctx, `SELECT `+foldSQL("?"), name).Scan(&f); err != nil {
			t.Fatal(err)
		}
		if !f.Valid {
			return strings.ToLower(name) // no word: as typed
		}
		return f.String
	}
	check := func(when string, names []string) {
		t.Helper()
		for i, name := range names {
			var fold, stored sql.NullString
			if err := db.Read.QueryRowContext(ctx, `SELECT `+foldedName+`, name_fold FROM subscribers WHERE id = ?`, 1+i).Scan(&fold, &stored); err != nil {
				t.Fatal(err)
			}
			if want := searchFold(name); fold.String != want {
				t.Errorf("%s %q: folded %q, the search's fold %q", when, name, fold.String, want)
			}
			if plainName(name) == stored.Valid {
				t.Errorf("%s %q: name_fold %q (stored %v), want one only for a name not of printable ASCII, or with two spaces in a row", when, name, stored.String, stored.Valid)
			}
		}
	}
	for i, name := range foldNames {
		if _, err := db.Write.ExecContext(ctx, `INSERT INTO subscribers (id, email, email_key, name, created_at, updated_at)
			VALUES (?, ?, ?, ?, '2026-01-01', '2026-01-01')`, 1+i, fmt.Sprint("r", i, "@example.com"), fmt.Sprint("r", i, "@example.com"), name); err != nil {
			t.Fatal(err)
		}
	}
	check("inserted", foldNames)
	for name, want := range map[string]string{
		"Zoë Marchetti": "zoe marchetti", norm.NFD.String("Renée Dubois"): "renee dubois", "Søren ŁUKASZ Straße": "soren lukasz strasse",
		"ÆRØ Œuvre Þór Đặng Ħal Iı Ŧ": "aero oeuvre thor dang hal ii t", "Mary-Ann O'Neil": "mary-ann o'neil", "Zoë  [admin]*": "zoe [admin]*", "O’Neil – Ed": "o neil ed", "Дмитрий Ёлкин": "дмитрий елкин",
	} {
		if got := searchFold(name); got != want {
			t.Errorf("fold of %q = %q, want %q", name, got, want)
		}
	}

	// Each name changed to the next one, the last to the first.
	renamed := append(slices.Clone(foldNames[1:]), foldNames[0])
	for i, name := range renamed {
		if _, err := db.Write.ExecContext(ctx, `UPDATE subscribers SET name = ? WHERE id = ?`, name, 1+i); err != nil {
			t.Fatal(err)
		}
	}
	check("renamed", renamed)
}

// The search finds a name with its accents or without, whichever way
// either is typed, and names stored decomposed (before NormalizeName
// composed them) too. It used to fold case only: "Zoe Marchetti" did not
// find "Zoë Marchetti", though "zoë" did.
func TestSearchIgnoresAccentsBothWays(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for i, name := range []string{"Zoë Marchetti", "Zoe Plain", "Søren Kierkegaard", "Łukasz Nowak", "Straße Weiß", "Дмитрий Ёлкин",
		"Nguyễn Văn Bình", "Ann", "Mary-Ann O'Neil"} {
		if _, err := s.Create(ctx, &NewSubscriber{Email: fmt.Sprintf("r%d@example.com", i), Name: name, Status: StatusConfirmed, Lists: []string{"news"}}); err != nil {
			t.Fatal(err)
		}
	}
	// Names stored decomposed, as before NormalizeName.
	renee, andrei := norm.NFD.String("Renée Dubois"), norm.NFD.String("Андрей Ёлкин")
	for i, name := range []string{renee, andrei} {
		if _, err := s.db.Write.ExecContext(ctx, `INSERT INTO subscribers (email, email_key, name, status, created_at, updated_at)
			VALUES (?, ?, ?, 'confirmed', '2026-01-01', '2026-01-01')`, fmt.Sprint("d", i, "@example.com"), fmt.Sprint("d", i, "@example.com"), name); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		q    string
		want []string
	}{
		{"Zoe Marchetti", []string{"Zoë Marchetti"}},
		{"zoë marchetti", []string{"Zoë Marchetti"}},
		{norm.NFD.String("ZOË MARCHETTI"), []string{"Zoë Marchetti"}},
		{"  zoe   marchetti ", []string{"Zoë Marchetti"}},
		{"zoe", []string{"Zoë Marchetti", "Zoe Plain"}},
		{"Zoë", []string{"Zoë Marchetti", "Zoe Plain"}},
		{"zoé", []string{"Zoë Marchetti", "Zoe Plain"}},
		{"ZOË PLAIN", []string{"Zoe Plain"}},
		{"soren", []string{"Søren Kierkegaard"}},
		{"lukasz", []string{"Łukasz Nowak"}},
		{"strasse weiss", []string{"Straße Weiß"}},
		{"nguyen van binh", []string{"Nguyễn Văn Bình"}},
		{"renee dubois", []string{renee}},
		{"Renée", []string{renee}},
		{"дмитрий", []string{"Дмитрий Ёлкин"}},
		{"ДМИТРИЙ ЁЛКИН", []string{"Дмитрий Ёлкин"}},
		{"ёлкин", []string{"Дмитрий Ёлкин", andrei}},
		{"андрей", []string{andrei}},
		{"mary-ann", []string{"Mary-Ann O'Neil"}},
		{"o'neil", []string{"Mary-Ann O'Neil"}},
		{"-", []string{"Mary-Ann O'Neil"}},
		{"r3@example", []string{"Łukasz Nowak"}},
		{"ann", []string{"Ann", "Mary-Ann O'Neil"}},
		{"zoa", nil},
	}
	for _, tt := range tests {
		page, _, err := s.List(ctx, Filter{Q: tt.q, Limit: 50})
		if err != nil {
			t.Fatalf("search %q: %v", tt.q, err)
		}
		var got []string
		for _, sub := range page {
			got = append(got, sub.Name)
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(tt.want))
		if !slices.Equal(got, want) {
			t.Errorf("search %q found %q, want %q", tt.q, got, want)
		}
	}
}

// Migration 076 folds the names stored before it: an install upgraded
// finds its readers' names without their accents at once.
func TestNameFoldMigrationFillsStoredNames(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DROP TRIGGER subscribers_name_fold_insert`,
		`DROP TRIGGER subscribers_name_fold_update`,
		`ALTER TABLE subscribers DROP COLUMN name_fold`,
		`DROP TABLE name_fold_tokens`,
		`DELETE FROM migrations WHERE name = 'migration/076_subscribers_name_fold.sql'`,
		`INSERT INTO subscribers (id, email, email_key, name, status, created_at, updated_at) VALUES
			(1, 'a@example.com', 'a@example.com', 'Zoë Marchetti', 'confirmed', '2026-01-01', '2026-01-01'),
			(2, 'b@example.com', 'b@example.com', '` + norm.NFD.String("Renée Dubois") + `', 'confirmed', '2026-01-01', '2026-01-01'),
			(3, 'c@example.com', 'c@example.com', 'Plain Name', 'confirmed', '2026-01-01', '2026-01-01')`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	conn.Close()
	db.Close()

	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Read.QueryContext(ctx, `SELECT id, ifnull(name_fold, '-') FROM subscribers ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id int
		var fold string
		if err := rows.Scan(&id, &fold); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprint(id, " ", fold))
	}
	if want := []string{"1 zoe marchetti", "2 renee dubois", "3 -"}; !slices.Equal(got, want) {
		t.Errorf("name_fold after the migration: %q, want %q", got, want)
	}
	page, _, err := NewStore(db).List(ctx, Filter{Q: "Zoe Marchetti"})
	if err != nil || len(page) != 1 || page[0].ID != 1 {
		t.Errorf("search after the migration: %v, %v; want reader 1", page, err)
	}
}
