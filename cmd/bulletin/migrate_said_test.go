package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// migrate says which migrations it applied, or that it had none to
// apply: it printed the same "up to date" line after an upgrade's
// migrations as after a run that found nothing to do, and an operator
// could not tell whether anything changed.
func TestMigrateSaysWhatItApplied(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"BULLETIN_DATA": data}
	code, first, stderr := run(t, env, "", "migrate")
	if code != 0 {
		t.Fatalf("migrate: exit %d, stderr %q", code, stderr)
	}
	// A new database has every migration applied, the last one named.
	if !strings.HasPrefix(first, "applied ") || !strings.Contains(first, "001_") || !strings.Contains(first, "091_confirm_unanswered") {
		t.Errorf("migrate on a new folder does not name what it applied:\n%s", first)
	}
	// One undone, as a database of an older binary lacks it.
	db, err := sqlite.Open(t.Context(), filepath.Join(data, "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DELETE FROM migrations WHERE name = 'migration/091_confirm_unanswered.sql'`,
		`ALTER TABLE subscribers DROP COLUMN confirm_unanswered`} {
		if _, err := db.Write.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	code, second, stderr := run(t, env, "", "migrate")
	if code != 0 || !strings.HasPrefix(second, "applied 1 migration: 091_confirm_unanswered\n") {
		t.Errorf("migrate after one migration undone: exit %d, stderr %q, stdout:\n%s", code, stderr, second)
	}
	code, third, stderr := run(t, env, "", "migrate")
	if code != 0 || !strings.HasPrefix(third, "no migration to apply\n") || !strings.Contains(third, "is up to date") {
		t.Errorf("migrate with nothing to do: exit %d, stderr %q, stdout:\n%s", code, stderr, third)
	}
}
