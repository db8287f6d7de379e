package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bulletin import keeps the name a stored reader has (they may have typed
// it at signup or on their preferences page): a file's other name is
// reported on the line, which counts as skipped when nothing else of it
// changes the reader, and a reader without a name gets the file's.
// --overwrite-names replaces stored names with the file's; an empty name
// cell erases none, with the flag or without.
func TestImportKeepsStoredNamesUnlessOverwriteNames(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	if code, _, stderr := run(t, env, "", "seed"); code != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return file
	}
	names := func() map[string]string {
		t.Helper()
		code, stdout, stderr := run(t, env, "", "export", "--list", "daily-news")
		if code != 0 {
			t.Fatalf("export: exit %d: %s", code, stderr)
		}
		out := map[string]string{}
		for _, line := range strings.Split(stdout, "\n") {
			cells := strings.Split(line, ",")
			if len(cells) > 1 && (cells[0] == "ann@example.com" || cells[0] == "bo@example.com") {
				out[cells[0]] = cells[1]
			}
		}
		return out
	}
	importing := func(file string, flags ...string) string {
		t.Helper()
		code, stdout, stderr := run(t, env, "", append([]string{"import", file}, flags...)...)
		if code != 0 {
			t.Fatalf("import %s %v: exit %d: %s", filepath.Base(file), flags, code, stderr)
		}
		return stdout
	}
	importing(write("stored.csv", "email,name,lists\nann@example.com,Ann Lee,daily-news\nbo@example.com,,daily-news\n"), "--confirmed")

	crm := write("crm.csv", "email,name,lists\nann@example.com,Ann Smith,daily-news\nbo@example.com,Bo Chen,daily-news\n")
	out := importing(crm)
	for _, want := range []string{
		"added 0, updated 1, skipped 1, invalid 0 (",
		`skipped line 2 ("ann@example.com"): name not changed: the file says “Ann Smith”, the reader's stored name “Ann Lee” is kept; --overwrite-names replaces stored names` + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("import of other names reports:\n%s\nwant %q", out, want)
		}
	}
	if got := names(); got["ann@example.com"] != "Ann Lee" || got["bo@example.com"] != "Bo Chen" {
		t.Errorf("names after the import: %v; want Ann Lee kept and Bo Chen filled in", got)
	}

	// An empty name cell erases no name, even with --overwrite-names.
	empty := write("empty.csv", "email,name,lists\nann@example.com,,daily-news\nbo@example.com,,daily-news\n")
	if out := importing(empty, "--overwrite-names"); !strings.Contains(out, "added 0, updated 0, skipped 2, invalid 0 (") || strings.Contains(out, "name not changed") {
		t.Errorf("import of empty name cells reports:\n%s", out)
	}
	if got := names(); got["ann@example.com"] != "Ann Lee" || got["bo@example.com"] != "Bo Chen" {
		t.Errorf("names after the import of empty name cells: %v; want Ann Lee and Bo Chen", got)
	}

	out = importing(crm, "--overwrite-names")
	if !strings.Contains(out, "added 0, updated 1, skipped 1, invalid 0 (") || strings.Contains(out, "name not changed") {
		t.Errorf("import --overwrite-names reports:\n%s", out)
	}
	if got := names(); got["ann@example.com"] != "Ann Smith" {
		t.Errorf("names after the import --overwrite-names: %v; want Ann Smith, the file's", got)
	}
}

// import -h lists --overwrite-names, and a mistyped one is refused with
// the usage, which names it.
func TestImportOverwriteNamesFlagIsListed(t *testing.T) {
	code, stdout, _ := run(t, nil, "", "import", "-h")
	if code != 0 || !strings.HasPrefix(stdout, "Usage: bulletin import FILE.csv [--list SLUG] [--confirmed | --reconfirm] [--overwrite-names]\n") ||
		!strings.Contains(stdout, "-overwrite-names\n") {
		t.Errorf("import -h: exit %d:\n%s", code, stdout)
	}
	code, stdout, stderr := run(t, nil, "", "import", "x.csv", "--overwrite-name")
	if code != 2 || stdout != "" || !strings.HasPrefix(stderr, "flag provided but not defined: -overwrite-name\nUsage: bulletin import FILE.csv") ||
		!strings.Contains(stderr, "-overwrite-names\n") {
		t.Errorf("import --overwrite-name: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	if code, _, stderr := run(t, nil, "", "help"); code != 0 {
		t.Errorf("help: exit %d: %s", code, stderr)
	}
	if _, stdout, _ := run(t, nil, "", "help"); !strings.Contains(stdout, "import FILE.csv [--list SLUG] [--confirmed | --reconfirm] [--overwrite-names]  import subscribers\n") {
		t.Errorf("help does not list --overwrite-names:\n%s", stdout)
	}
}
