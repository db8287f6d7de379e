package subscribers

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// migration088 is the text of migration 088.
func migration088(t testing.TB) string {
	t.Helper()
	buf, err := os.ReadFile(filepath.Join("..", "internal", "sqlite", "migration", "088_name_fold_shallow.sql"))
	if err != nil {
		t.Fatal(err)
	}
	return string(buf)
}

// Migration 088's triggers are foldTriggerSteps after the tokenizer's
// words (foldTriggerWords), each trigger once; TestNameFoldColumnIsTheSearchFold
// checks on names that the fold they keep is the search's.
func TestMigration088HasTheFoldSteps(t *testing.T) {
	m := migration088(t)
	if n := strings.Count(m, foldTriggerSteps()); n != 2 {
		t.Errorf("migration 088 has foldTriggerSteps %d times, want 2 (a trigger each)", n)
	}
	if n := strings.Count(m, foldTriggerWords("NEW.name")); n != 2 {
		t.Errorf("migration 088 has foldTriggerWords(NEW.name) %d times, want 2 (a trigger each)", n)
	}
}

// parenDepth is the deepest nesting of parentheses in q, outside its
// string literals.
func parenDepth(q string) int {
	depth, most, quoted := 0, 0, false
	for _, c := range q {
		switch {
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
			most = max(most, depth)
		case c == ')':
			depth--
		}
	}
	return most
}

// No statement kept in the schema nests deeper than an SQLite before
// 3.46 parses: such an SQLite takes the whole schema for a malformed one
// otherwise (migration 086's fold was 146 parentheses deep). Parentheses
// are only a rough measure of the parser's stack: in a trigger, Debian
// 12's sqlite3 parses 28 nested replace calls, not 29, but 17, not 18,
// around a subquery in a CASE. TestSchemaOpensInOldSQLiteShell, which
// runs the shell itself (CI installs it), is the check that counts; this
// one runs where the shell is missing.
func TestSchemaNestsShallow(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Read.Query(`SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var name, q string
		if err := rows.Scan(&name, &q); err != nil {
			t.Fatal(err)
		}
		seen++
		if d := parenDepth(q); d > 24 {
			t.Errorf("%s nests %d parentheses deep, want at most 24", name, d)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen < 50 {
		t.Fatalf("read %d schema entries, want the whole schema", seen)
	}
	m := migration086(t)
	if d := parenDepth(m[strings.Index(m, "CREATE TRIGGER"):]); d <= 24 {
		t.Errorf("migration 086 nests %d parentheses deep: the check above cannot tell a deep fold", d)
	}
}

// sqliteShell returns the sqlite3 shell, skipping the test without one
// unless BULLETIN_INTEGRATION is set (CI installs Debian's).
func sqliteShell(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("sqlite3")
	if err != nil {
		if os.Getenv("BULLETIN_INTEGRATION") != "" {
			t.Fatal("the sqlite3 shell is missing: apt-get install -y sqlite3")
		}
		t.Skip("the sqlite3 shell is missing: apt-get install -y sqlite3")
	}
	return p
}

// shell runs SQL in the sqlite3 shell on path and returns its output.
func shell(t *testing.T, bin, path, q string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(bin, "-bail", path)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(q), &out, &errOut
	if err := cmd.Run(); err != nil || errOut.Len() > 0 {
		t.Fatalf("sqlite3 %s: %v: %s", q[:min(len(q), 80)], err, errOut.String())
	}
	return out.String()
}

// The sqlite3 shell as a distribution ships it (Debian 12's is SQLite
// 3.40) opens bulletin.db, checks it, backs it up, and writes names in
// it, whose folds the triggers keep as Bulletin's own SQLite does: the
// search finds them. Before migration 088 every statement failed with
// "malformed database schema (subscribers_name_fold_insert)".
func TestSchemaOpensInOldSQLiteShell(t *testing.T) {
	bin := sqliteShell(t)
	t.Logf("sqlite3 %s", strings.TrimSpace(shell(t, bin, ":memory:", "SELECT sqlite_version();")))
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "bulletin.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	if got := strings.TrimSpace(shell(t, bin, path, "PRAGMA integrity_check;")); got != "ok" {
		t.Fatalf("integrity_check in the shell: %q", got)
	}
	shell(t, bin, path, ".backup '"+filepath.Join(dir, "copy.db")+"'")
	names := append(append([]string(nil), foldNames...), upgradeNames86...)
	var ins strings.Builder
	for i, name := range names {
		fmt.Fprintf(&ins, "INSERT INTO subscribers (id, email, email_key, name, created_at, updated_at) VALUES (%d, 'r%d@example.com', 'r%d@example.com', '%s', '2026-01-01', '2026-01-01');\n",
			1+i, i, i, strings.ReplaceAll(name, "'", "''"))
	}
	shell(t, bin, path, ins.String())

	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check := func(when string, names []string) {
		t.Helper()
		for i, name := range names {
			var stored, search sql.NullString
			if err := db.Read.QueryRowContext(ctx, `SELECT name_fold, `+foldSQL("name")+` FROM subscribers WHERE id = ?`, 1+i).Scan(&stored, &search); err != nil {
				t.Fatal(err)
			}
			if plainName(name) {
				if stored.Valid {
					t.Errorf("%s in the shell %q: name_fold %q, want none (its fold is lower(name))", when, name, stored.String)
				}
				continue
			}
			if stored != search {
				t.Errorf("%s in the shell %q: name_fold %q (stored %v), the search's fold %q", when, name, stored.String, stored.Valid, search.String)
			}
		}
	}
	check("inserted", names)

	// Each name changed to the next one, in the shell: the update trigger.
	renamed := append(append([]string(nil), names[1:]...), names[0])
	var upd strings.Builder
	for i, name := range renamed {
		fmt.Fprintf(&upd, "UPDATE subscribers SET name = '%s' WHERE id = %d;\n", strings.ReplaceAll(name, "'", "''"), 1+i)
	}
	shell(t, bin, path, upd.String())
	check("renamed", renamed)
}
