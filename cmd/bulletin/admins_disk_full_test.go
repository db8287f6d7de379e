package main

import (
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// admin create, admin delete, token create and token revoke stopped by a
// full disk say that nothing was changed, to free space on the data
// folder's disk and to run the same command again, as import says it:
// admin create said only "commit: database or disk is full". The disk
// is a real SQLITE_FULL of the store's own write: the database may grow
// by no page (max_page_count, on the one write connection) and a trigger
// on the connection makes each write need pages.
func TestAdminCommandsOnAFullDiskSayToFreeSpace(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data}
	for _, args := range [][]string{{"admin", "create", "ann@example.com"}, {"admin", "create", "bob@example.com"}, {"token", "create", "ci"}} {
		if code, _, stderr := run(t, env, "a long passphrase\n", args...); code != 0 {
			t.Fatalf("%v: %s", args, stderr)
		}
	}
	db, err := sqlite.Open(t.Context(), data+"/bulletin.db")
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Write.Exec(`CREATE TABLE filler (b BLOB)`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	openedDB = func(db *sqlite.DB) {
		for _, q := range []string{
			`CREATE TEMP TRIGGER fill_admins AFTER INSERT ON main.admins BEGIN INSERT INTO main.filler VALUES (zeroblob(200000)); END`,
			`CREATE TEMP TRIGGER fill_admins_u AFTER UPDATE ON main.admins BEGIN INSERT INTO main.filler VALUES (zeroblob(200000)); END`,
			`CREATE TEMP TRIGGER fill_admins_d AFTER DELETE ON main.admins BEGIN INSERT INTO main.filler VALUES (zeroblob(200000)); END`,
			`CREATE TEMP TRIGGER fill_tokens AFTER INSERT ON main.api_tokens BEGIN INSERT INTO main.filler VALUES (zeroblob(200000)); END`,
			`CREATE TEMP TRIGGER fill_tokens_d AFTER DELETE ON main.api_tokens BEGIN INSERT INTO main.filler VALUES (zeroblob(200000)); END`,
			`CREATE TEMP TRIGGER fill_tokens_u AFTER UPDATE ON main.api_tokens BEGIN INSERT INTO main.filler VALUES (zeroblob(200000)); END`,
			`PRAGMA max_page_count = 1`, // no lower than the pages there are: no more
		} {
			if _, err := db.Write.Exec(q); err != nil {
				t.Errorf("%s: %v", q, err)
			}
		}
	}
	t.Cleanup(func() { openedDB = nil })
	for _, tc := range []struct {
		args  []string
		stdin string
	}{
		{[]string{"admin", "create", "ed@example.com"}, "a long passphrase\n"},
		{[]string{"admin", "create", "ann@example.com"}, "another long passphrase\n"},
		{[]string{"admin", "delete", "bob@example.com"}, ""},
		{[]string{"token", "create", "website"}, ""},
		{[]string{"token", "revoke", "ci"}, ""},
	} {
		code, stdout, stderr := run(t, env, tc.stdin, tc.args...)
		want := "bulletin " + tc.args[0] + ": the disk is full, so nothing was changed: free some space on the disk of the data folder " + data +
			", then run bulletin " + strings.Join(tc.args, " ") + " again\n"
		if code != 1 || stdout != "" || stderr != want {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 1, nothing, %q", tc.args, code, stdout, stderr, want)
		}
	}
	openedDB = nil
	_, admins, _ := run(t, env, "", "admin", "list")
	_, tokens, _ := run(t, env, "", "token", "list")
	if strings.Contains(admins, "ed@example.com") || !strings.Contains(admins, "bob@example.com") || strings.Contains(tokens, "website") || !strings.Contains(tokens, "ci") {
		t.Errorf("the full disk changed something:\n%s\n%s", admins, tokens)
	}
}
