package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// seededInstall returns the env of a seeded install.
func seededInstall(t *testing.T) map[string]string {
	t.Helper()
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	if m, _, stderr := testMain(t, env); m.Main(context.Background(), []string{"seed"}) != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	return env
}

// importFile writes body to a file of its own and returns its path.
func importFile(t *testing.T, body string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "people.csv")
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// storedStatuses returns the status and confirmed_at of the subscribers whose
// address ends in suffix, by address.
func storedStatuses(t *testing.T, env map[string]string, suffix string) map[string]string {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(env["BULLETIN_DATA"], "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Read.Query(`SELECT email, status, confirmed_at FROM subscribers WHERE email LIKE ?`, "%"+suffix)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var email, status string
		var at sql.NullString
		if err := rows.Scan(&email, &status, &at); err != nil {
			t.Fatal(err)
		}
		out[email] = status
		if at.Valid {
			out[email] += " " + at.String[:10]
		}
	}
	return out
}

// mailsSent counts the messages the install's file transport wrote.
func mailsSent(t *testing.T, env map[string]string) int {
	files, _ := filepath.Glob(filepath.Join(env["BULLETIN_DATA"], "outbox", "*.eml"))
	return len(files)
}

// A file without a header line whose rows have more than email and name
// is refused, exit 2, naming the file and the header line to add, with
// --list or without (where it used to say the file had no lists column):
// with --list the unsubscribed reader of the reviewer's file was imported
// pending and mailed a confirmation.
func TestImportHeaderlessFileOfMoreColumnsExits2(t *testing.T) {
	env := seededInstall(t)
	file := importFile(t, "gone1@example.com,Gone One,daily-news,unsubscribed\n")
	for _, args := range [][]string{{"import", file, "--list", "daily-news"}, {"import", file}} {
		code, stdout, stderr := run(t, env, "", args...)
		if code != 2 || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, want 2 and nothing printed", args, code, stdout)
		}
		for _, want := range []string{file + "'s first line is a reader's row of 4 columns, not a line of column names", "“email,name,lists,status”"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("%v: stderr %q lacks %q", args, stderr, want)
			}
		}
		if strings.Contains(stderr, "no lists column") {
			t.Errorf("%v: stderr %q", args, stderr)
		}
	}
	if got := storedStatuses(t, env, "@example.com"); got["gone1@example.com"] != "" || mailsSent(t, env) != 0 {
		t.Errorf("gone1 stored as %q, %d mails sent: want neither", got["gone1@example.com"], mailsSent(t, env))
	}
}

// An export's confirmed readers imported without --confirmed would each
// be pending and mailed a confirmation: the import refuses the file
// before storing anything (its pending reader neither), exit 2, counting
// them and naming --confirmed and --reconfirm. --reconfirm imports them
// pending and mails each; --confirmed keeps them confirmed with their
// confirmed_at and mails none; both at once is bad usage. It used to
// import them all pending, exit 0.
func TestImportOfConfirmedRowsAsksWhichIsMeant(t *testing.T) {
	export := "email,name,lists,status,attributes,frequency,created_at,confirmed_at\n" +
		"one@moved.example,One,daily-news,confirmed,,daily,2025-01-02T03:04:05Z,2025-01-03T03:04:05Z\n" +
		"two@moved.example,Two,daily-news,Confirmed,,weekly,2025-01-02T03:04:05Z,2025-01-04T03:04:05Z\n" +
		"three@moved.example,Three,daily-news,pending,,daily,2025-01-02T03:04:05Z,\n"
	file := importFile(t, export)
	env := seededInstall(t)
	for _, args := range [][]string{{"import", file}, {"import", file, "--list", "daily-news"}} {
		code, stdout, stderr := run(t, env, "", args...)
		if code != 2 || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, want 2 and nothing printed", args, code, stdout)
		}
		for _, want := range []string{args[1] + " marks 2 readers confirmed", "--confirmed to import them confirmed", "--reconfirm to import them pending", "Nothing was imported."} {
			if !strings.Contains(stderr, want) {
				t.Errorf("%v: stderr %q lacks %q", args, stderr, want)
			}
		}
	}
	if got := storedStatuses(t, env, "@moved.example"); len(got) != 0 || mailsSent(t, env) != 0 {
		t.Fatalf("refused imports stored %v and sent %d mails", got, mailsSent(t, env))
	}
	if code, _, stderr := run(t, env, "", "import", file, "--confirmed", "--reconfirm"); code != 2 || !strings.Contains(stderr, "not both") {
		t.Errorf("--confirmed --reconfirm: exit %d, %q", code, stderr)
	}

	code, stdout, stderr := run(t, env, "", "import", file, "--reconfirm")
	if code != 0 || !strings.Contains(stdout, "added 3,") || !strings.Contains(stdout, "3 confirmation mails sent") {
		t.Fatalf("--reconfirm: exit %d, %q, %q", code, stdout, stderr)
	}
	want := map[string]string{"one@moved.example": "pending", "two@moved.example": "pending", "three@moved.example": "pending"}
	if diff := cmp.Diff(want, storedStatuses(t, env, "@moved.example")); diff != "" || mailsSent(t, env) != 3 {
		t.Errorf("--reconfirm: %d mails, statuses (-want +got):\n%s", mailsSent(t, env), diff)
	}

	other := seededInstall(t)
	if code, stdout, stderr := run(t, other, "", "import", file, "--confirmed"); code != 0 || !strings.Contains(stdout, "added 3,") {
		t.Fatalf("--confirmed: exit %d, %q, %q", code, stdout, stderr)
	}
	want = map[string]string{"one@moved.example": "confirmed 2025-01-03", "two@moved.example": "confirmed 2025-01-04", "three@moved.example": "pending"}
	if diff := cmp.Diff(want, storedStatuses(t, other, "@moved.example")); diff != "" {
		t.Errorf("--confirmed: statuses (-want +got):\n%s", diff)
	}
}

// An import whose every row is invalid exits 1 after its report, so that
// a cron job can tell it imported nothing; it used to exit 0. One with a
// row to import (added, or skipped as stored already) exits 0.
func TestImportOfOnlyInvalidRowsExits1(t *testing.T) {
	env := seededInstall(t)
	bad := importFile(t, "email,name,lists,status\nx1@example.com,X,nope,pending\nx2@example.com,Y,daily-news,gone\n")
	code, stdout, stderr := run(t, env, "", "import", bad)
	if code != 1 || !strings.Contains(stdout, "added 0, updated 0, skipped 0, invalid 2") || !strings.Contains(stdout, `invalid line 3 ("x2@example.com"): status:`) {
		t.Errorf("every row invalid: exit %d, stdout %q, want 1 after the report", code, stdout)
	}
	if want := "bulletin import: nothing imported: every row of " + bad + " is invalid (2 rows, see above)"; !strings.Contains(stderr, want) {
		t.Errorf("stderr %q lacks %q", stderr, want)
	}

	mixed := importFile(t, "email,name,lists\nok@example.com,Ok,daily-news\nx1@example.com,X,nope\n")
	for i := range 2 { // the second time ok@ is skipped, stored already
		if code, stdout, stderr := run(t, env, "", "import", mixed, "--confirmed"); code != 0 || !strings.Contains(stdout, "invalid 1") {
			t.Errorf("import %d of a file with a good row: exit %d, %q, %q", i+1, code, stdout, stderr)
		}
	}
}

// export --list and digest run --list take a slug in any case, as import
// --list does; they used to say there was no list "DAILY-NEWS".
func TestExportAndDigestRunTakeASlugInAnyCase(t *testing.T) {
	env := seededInstall(t)
	_, want, _ := run(t, env, "", "export", "--list", "daily-news")
	code, got, stderr := run(t, env, "", "export", "--list", "DAILY-NEWS")
	if code != 0 || got != want || strings.Count(got, "\n") < 2 {
		t.Errorf("export --list DAILY-NEWS: exit %d, %q; stdout %q, want %q", code, stderr, got, want)
	}
	if code, _, stderr := run(t, env, "", "export", "--list", "Nope"); code != 2 || !strings.Contains(stderr, `There is no list "Nope". The lists are: daily-news`) {
		t.Errorf("export --list Nope: exit %d, %q", code, stderr)
	}
	code, stdout, stderr := run(t, env, "", "digest", "run", "--list", " Daily-News ")
	if code != 0 || !strings.Contains(stdout, " for daily-news: ") || !strings.Contains(stdout, "failed 0") {
		t.Errorf("digest run --list ' Daily-News ': exit %d, %q, %q", code, stdout, stderr)
	}
}
