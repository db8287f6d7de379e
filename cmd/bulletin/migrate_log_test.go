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

// A command other than migrate that brings the schema up to date (serve,
// export, admin list: the first one run after an upgrade) logs the
// migrations it applied; migrate prints them itself, once.
func TestCommandsSayTheyMigrated(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data}
	forget := func() {
		t.Helper()
		db, err := sql.Open("sqlite3", "file:"+filepath.Join(data, "bulletin.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		// 098 may run again: it changes nothing the second time.
		if _, err := db.Exec(`DELETE FROM migrations WHERE name = 'migration/098_feed_url_form.sql'`); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, stderr := run(t, env, "", "migrate"); code != 0 {
		t.Fatalf("first migrate: exit %d\n%s", code, stderr)
	}
	forget()
	code, _, stderr := run(t, env, "", "export")
	if code != 0 {
		t.Fatalf("export: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, `msg="database schema brought up to date for this version of bulletin" migrations=098_feed_url_form`) {
		t.Errorf("export's stderr does not say it migrated:\n%s", stderr)
	}
	forget()
	code, stdout, stderr := run(t, env, "", "migrate")
	if code != 0 || !strings.Contains(stdout, "applied 1 migration: 098_feed_url_form") || strings.Contains(stderr, "brought up to date") {
		t.Errorf("migrate: exit %d, stdout %q, stderr %q; want the migration printed once, on stdout", code, stdout, stderr)
	}
}

// migrate on a database a newer Bulletin upgraded fails, naming what it
// does not know and what to do, instead of saying it is up to date.
func TestMigrateRefusesANewerDatabase(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data}
	if code, _, stderr := run(t, env, "", "migrate"); code != 0 {
		t.Fatalf("first migrate: exit %d\n%s", code, stderr)
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(data, "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO migrations (name, applied_at) VALUES ('migration/999_from_the_future.sql', CURRENT_TIMESTAMP)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, stdout, stderr := run(t, env, "", "migrate")
	if code == 0 || strings.Contains(stdout, "up to date") || !strings.Contains(stderr, "999_from_the_future") || !strings.Contains(stderr, "newer Bulletin") {
		t.Errorf("migrate on a newer database: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
