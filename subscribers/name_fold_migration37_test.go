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
	"time"
	"unicode"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"golang.org/x/text/unicode/norm"
)

// migration086 is the text of migration 086.
func migration086(t testing.TB) string {
	t.Helper()
	buf, err := os.ReadFile(filepath.Join("..", "internal", "sqlite", "migration", "086_subscribers_name_fold_polytonic.sql"))
	if err != nil {
		t.Fatal(err)
	}
	return string(buf)
}

// allPolytonic is every letter of the Greek Extended block, each word
// the lower-case ones of a base letter and their capitals.
func allPolytonic() string {
	words := map[rune]*strings.Builder{}
	var bases []rune
	for r := rune(0x1f00); r <= 0x1fff; r++ {
		if !unicode.IsLetter(r) {
			continue
		}
		base := unicode.ToLower([]rune(norm.NFD.String(string(r)))[0])
		if words[base] == nil {
			words[base] = &strings.Builder{}
			bases = append(bases, base)
		}
		words[base].WriteRune(r)
	}
	var out []string
	for _, base := range bases {
		out = append(out, words[base].String())
	}
	return strings.Join(out, " ")
}

// upgradeNames86 are names stored before migration 086: with polytonic
// letters composed, in capitals, decomposed and with an oxia, and with
// letters whose fold 086 leaves as it was.
var upgradeNames86 = []string{
	"Ἀλέξανδρος Παπᾶς", "ᾨδὴ Ῥόδου", norm.NFD.String("Ἀλέξανδρος Κῶστας"), "Ἀλεξάνδρου Ῥ\u1f79δης",
	"Αλεξάνδρα Παπαδοπούλου", norm.NFD.String("Ζωή Νικολαΐδου"), "Zoë Marchetti", "Plain Name", allPolytonic(),
}

// Migration 086 folds again the names stored with a polytonic letter or
// mark, with the fold the search now gives its needle: an install
// upgraded finds "Ἀλέξανδρος" by "Αλεξανδρος" at once. The others it
// leaves alone, which a fold no trigger would store shows. Names are
// stored here by the triggers of migration 082, as they were before 086,
// which then runs on the file.
func TestNameFoldMigration086RefoldsStoredNames(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db, conn := storeUnderFoldOf(t, ctx, path, "082_subscribers_name_fold_greek.sql", "086_subscribers_name_fold_polytonic.sql", upgradeNames86)
	// The names are as 082 folded them: the polytonic letters kept, and
	// the decomposed name cut into words at its breathing and perispomeni.
	before := storedFolds(t, conn)
	if want := []string{"ἀλεξανδροσ παπᾶσ", "ᾠδὴ ῥοδου", "α λεξανδροσ κω στασ", "ἀλεξανδρου ῥ\u1f79δησ", "αλεξανδρα παπαδοπουλου", "ζωη νικολαιδου", "zoe marchetti", "-"}; !slices.Equal(before[:8], want) {
		t.Fatalf("name_fold before 086: %q, want %q", before[:8], want)
	}
	// Names 086 should not refold are given a fold no trigger stores.
	if _, err := conn.ExecContext(ctx, `UPDATE subscribers SET name_fold = 'kept ' || id WHERE id IN (5, 6, 7)`); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	db.Close()

	db, conn = upgradedConn(t, ctx, path)
	after := storedFolds(t, conn)
	for i, name := range upgradeNames86 {
		if i >= 4 && i < 7 {
			continue
		}
		want := "-" // printable ASCII: no fold stored
		if !plainName(name) {
			if err := conn.QueryRowContext(ctx, `SELECT `+foldSQL("?"), name).Scan(&want); err != nil {
				t.Fatal(err)
			}
		}
		if after[i] != want {
			t.Errorf("name_fold of %q after 086: %q, the search's fold %q", name, after[i], want)
		}
	}
	if want := []string{"αλεξανδροσ παπασ", "ωδη ροδου", "αλεξανδροσ κωστασ", "αλεξανδρου ροδησ", "kept 5", "kept 6", "kept 7", "-"}; !slices.Equal(after[:8], want) {
		t.Errorf("name_fold after 086: %q, want %q", after[:8], want)
	}
	wantAll := strings.Map(func(r rune) rune {
		if r == ' ' {
			return r
		}
		return unicode.ToLower([]rune(norm.NFD.String(string(r)))[0])
	}, upgradeNames86[8])
	if after[8] != wantAll {
		t.Errorf("name_fold of every polytonic letter after 086: %q, want %q", after[8], wantAll)
	}
	s := NewStore(db)
	for q, want := range map[string][]string{
		"Αλεξανδρος": {upgradeNames86[0], upgradeNames86[2]}, "ωδη ροδου": {upgradeNames86[1]}, "ΚΩΣΤΑΣ": {upgradeNames86[2]}, "Ροδης": {upgradeNames86[3]},
	} {
		if got := searchNames(t, s, q); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
			t.Errorf("search %q after 086: %q, want %q", q, got, want)
		}
	}
}

// Migration 086's refold is the search's fold, and its triggers are too
// (TestNameFoldColumnIsTheSearchFold checks them on names).
func TestMigration086HasTheSearchFold(t *testing.T) {
	if n := strings.Count(migration086(t), foldSQL("subscribers.name")); n != 1 {
		t.Errorf("migration 086 refolds with the search's fold %d times, want 1", n)
	}
}

// BenchmarkNameFoldMigration086 is migration 086's refold of the stored
// names, at 1,000,000 readers of whom one in five has a name in
// polytonic Greek ("Ἀλέξανδρος Reader 5"), or, for "none", in monotonic
// Greek ("Αλεξάνδρα Reader 5"), which it reads and leaves. Run it with:
//
//	go test ./subscribers -run '^$' -bench NameFoldMigration086 -benchtime 3x -timeout 30m
func BenchmarkNameFoldMigration086(b *testing.B) {
	m := migration086(b)
	refold := m[strings.LastIndex(m, "UPDATE subscribers SET name_fold"):]
	for _, tc := range []struct{ name, accented string }{
		{"polytonic", "Ἀλέξανδρος Reader "},
		{"none", "Αλεξάνδρα Reader "},
	} {
		b.Run(tc.name, func(b *testing.B) {
			db := sqlitetest.Open(b)
			insertBenchReaders(b, db, tc.accented)
			for b.Loop() {
				start := time.Now()
				res, err := db.Write.ExecContext(context.Background(), refold)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := res.RowsAffected()
				b.Logf("refolded %d names in %v", n, time.Since(start).Round(time.Millisecond))
			}
		})
	}
}

// storeUnderFoldOf opens a new database at path as an install of the
// migrations before next had it: the fold triggers those of migration
// old, next not yet run (the next open runs it). It stores names through
// those triggers, with ids from 1, and returns the database and its write

// upgradedConn opens the database at path again, which runs the
// migrations after the fold stored by storeUnderFoldOf, and returns it
// with a read connection, both closed at the test's end.
func upgradedConn(t *testing.T, ctx context.Context, path string) (*sqlite.DB, *sql.Conn) {
	t.Helper()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Read.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return db, conn
}

// connection, both open.
func storeUnderFoldOf(t *testing.T, ctx context.Context, path, old, next string, names []string) (*sqlite.DB, *sql.Conn) {
	t.Helper()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := os.ReadFile(filepath.Join("..", "internal", "sqlite", "migration", old))
	if err != nil {
		t.Fatal(err)
	}
	triggers := string(m[strings.Index(string(m), "CREATE TRIGGER") : strings.LastIndex(string(m), "END;")+len("END;")])
	conn, err := db.Write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DROP TRIGGER subscribers_name_fold_insert`,
		`DROP TRIGGER subscribers_name_fold_update`,
		triggers,
		`DELETE FROM migrations WHERE name = 'migration/` + next + `'`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for i, name := range names {
		if _, err := conn.ExecContext(ctx, `INSERT INTO subscribers (id, email, email_key, name, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'confirmed', '2026-01-01', '2026-01-01')`, 1+i, fmt.Sprint("r", i, "@example.com"), fmt.Sprint("r", i, "@example.com"), name); err != nil {
			t.Fatal(err)
		}
	}
	return db, conn
}
