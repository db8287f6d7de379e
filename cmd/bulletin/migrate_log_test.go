package main

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// The one-time rewrite of a database made before incremental vacuum is
// logged as the command's other lines are (its text handler on stderr),
// not through log's default format on the process's stderr.
func TestMigrateLogsTheVacuumSwitchInItsOwnFormat(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data}
	if code, _, stderr := run(t, env, "", "migrate"); code != 0 {
		t.Fatalf("first migrate: exit %d\n%s", code, stderr)
	}
	old, err := sql.Open("sqlite3", "file:"+filepath.Join(data, "bulletin.db")+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(`PRAGMA auto_vacuum = NONE; VACUUM`); err != nil {
		t.Fatal(err)
	}
	old.Close()
	code, _, stderr := run(t, env, "", "migrate")
	if code != 0 {
		t.Fatalf("migrate: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, `level=INFO msg="switching the database to incremental vacuum: rewriting it once"`) {
		t.Errorf("migrate's stderr lacks the switch in its own format:\n%s", stderr)
	}
}
