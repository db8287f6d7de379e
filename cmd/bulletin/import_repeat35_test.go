package main

import (
	"strings"
	"testing"
)

// bulletin import says what became of a repeated address's line: its
// list joined to its first line's, its other name not used.
func TestImportReportsWhatARepeatAdded(t *testing.T) {
	env := seededInstall(t)
	file := importFile(t, "email,name,lists\nann@repeat.example,Ann,daily-news\nbo@repeat.example,Bo,daily-news\nann@repeat.example,Ann again,weekend-culture\n")
	code, stdout, stderr := run(t, env, "", "import", file, "--confirmed")
	want := `merged line 4 ("ann@repeat.example"): repeats line 2, which takes its list “Weekend Culture” too; its name “Ann again” was not used (line 2's is kept)`
	if code != 0 || !strings.Contains(stdout, "added 2, updated 0, merged 1, skipped 0, invalid 0") || !strings.Contains(stdout, want+"\n") {
		t.Errorf("exit %d, stdout %q, stderr %q; want the repeat's line to say %q", code, stdout, stderr, want)
	}
}

// With --reconfirm, the report says the pending readers were asked as
// chosen, and does not advise --confirmed; without it, it does.
func TestImportReconfirmReportDoesNotAdviseConfirmed(t *testing.T) {
	file := importFile(t, "email,name,lists,status\none@reask.example,One,daily-news,confirmed\ntwo@reask.example,Two,daily-news,\n")
	code, stdout, stderr := run(t, seededInstall(t), "", "import", file, "--reconfirm")
	if code != 0 || !strings.Contains(stdout, "2 new subscribers are pending, each asked by mail to confirm, as --reconfirm chose\n") || strings.Contains(stdout, "use --confirmed") {
		t.Errorf("--reconfirm: exit %d, stdout %q, stderr %q; want the readers said asked as chosen, no --confirmed advised", code, stdout, stderr)
	}
	file = importFile(t, "email,lists\nthree@reask.example,daily-news\n")
	if code, stdout, _ := run(t, seededInstall(t), "", "import", file); code != 0 || !strings.Contains(stdout, "pending (use --confirmed when you have their consent)") {
		t.Errorf("a plain import: exit %d, stdout %q; want --confirmed advised", code, stdout)
	}
}
