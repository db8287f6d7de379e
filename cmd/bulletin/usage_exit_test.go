package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	pubsettings "github.com/bulletinhq/bulletin/internal/settings"
)

// Help that is asked for goes to stdout with exit 0, so that "bulletin
// serve -h | less" shows it; usage printed for a mistake goes to stderr
// with exit 2.
func TestHelpGoesToStdout(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"help"}, "Usage: bulletin COMMAND [flags]"},
		{[]string{"--help"}, "Usage: bulletin COMMAND [flags]"},
		{[]string{"-h"}, "Usage: bulletin COMMAND [flags]"},
		{[]string{"help", "serve"}, "Usage: bulletin serve [--no-send]"},
		{[]string{"serve", "-h"}, "Usage: bulletin serve [--no-send]"},
		{[]string{"serve", "--help"}, "Usage: bulletin serve [--no-send]"},
		{[]string{"import", "-h"}, "Usage: bulletin import FILE.csv"},
		{[]string{"digest", "-h"}, "Usage: bulletin digest run --list SLUG"},
		{[]string{"admin", "create", "-h"}, "Usage: bulletin admin create EMAIL"},
		{[]string{"dkim", "keygen", "-h"}, "Usage: bulletin dkim keygen"},
		{[]string{"backup", "-h"}, "Usage: bulletin backup FILE"},
	} {
		m, stdout, stderr := testMain(t, nil)
		code := m.Main(context.Background(), tc.args)
		if code != 0 || !strings.HasPrefix(stdout.String(), tc.want) || stderr.Len() != 0 {
			t.Errorf("%v: exit %d, stdout %.80q, stderr %.200q; want 0, the help on stdout and nothing on stderr", tc.args, code, stdout, stderr)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "Usage: bulletin COMMAND [flags]"},
		{[]string{"serve", "--bogus"}, "flag provided but not defined: -bogus\nUsage: bulletin serve [--no-send]"},
		{[]string{"import", "--list"}, "flag needs an argument: -list\nUsage: bulletin import FILE.csv"},
	} {
		m, stdout, stderr := testMain(t, nil)
		code := m.Main(context.Background(), tc.args)
		if code != 2 || !strings.HasPrefix(stderr.String(), tc.want) || stdout.Len() != 0 {
			t.Errorf("%v: exit %d, stdout %.80q, stderr %.200q; want 2, the usage on stderr and nothing on stdout", tc.args, code, stdout, stderr)
		}
	}
	m, stdout, stderr := testMain(t, nil)
	if code := m.Main(context.Background(), []string{"help", "frobnicate"}); code != 2 || stdout.Len() != 0 ||
		!strings.Contains(stderr.String(), `unknown command "frobnicate"`) {
		t.Errorf("help frobnicate: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// saidOneLine checks that a command exited with code and said, on one
// line of stderr, each of want.
func saidOneLine(t *testing.T, args []string, code int, stderr string, wantCode int, want ...string) {
	t.Helper()
	if code != wantCode || strings.Count(stderr, "\n") != 1 {
		t.Errorf("%v: exit %d, stderr %q; want %d and one line", args, code, stderr, wantCode)
		return
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("%v: stderr %q does not say %q", args, stderr, w)
		}
	}
}

// Bad flags, arguments and input values are bad usage, exit status 2,
// with a line that says what to give instead; a refusal that is not the
// input's fault stays 1.
func TestUsageMistakesExit2(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data}
	if code, _, stderr := run(t, env, "", "seed"); code != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	if code, _, stderr := run(t, env, "a long enough passphrase\n", "admin", "create", "ann@example.com"); code != 0 {
		t.Fatalf("admin create: %s", stderr)
	}
	dir := t.TempDir()
	noLists := filepath.Join(dir, "readers.csv")
	os.WriteFile(noLists, []byte("email,name\nreader@example.com,Reader\n"), 0o600)
	notDB := filepath.Join(dir, "notes.txt")
	os.WriteFile(notDB, []byte("not a database at all, just some words\n"), 0o600)
	emptyDir := t.TempDir()
	db := filepath.Join(data, "bulletin.db")
	for _, tc := range []struct {
		stdin string
		args  []string
		code  int
		want  []string
	}{
		{"", []string{"import", noLists}, 2, []string{"bulletin import: ", "has no lists column", "pass --list SLUG", "or add a lists column"}},
		{"", []string{"import", noLists, "--list", "nope"}, 2, []string{`There is no list "nope".`, "daily-news, weekend-culture, editors-desk"}},
		{"", []string{"export", "--list", "nope"}, 2, []string{`bulletin export: There is no list "nope".`, "daily-news"}},
		{"short\n", []string{"admin", "create", "bob@example.com"}, 2, []string{"bulletin admin: ", "at least 10 characters"}},
		{"a long enough passphrase\n", []string{"admin", "create", "not-an-address"}, 2, []string{`"not-an-address" is not an email address`}},
		{"", []string{"admin", "delete", "nobody@example.com"}, 2, []string{"There is no admin nobody@example.com."}},
		{"", []string{"token", "create", strings.Repeat("n", 101)}, 2, []string{"1–100 characters"}},
		{"", []string{"token", "revoke", "nope"}, 2, []string{`There is no API token named "nope".`}},
		{"", []string{"backup", db}, 2, []string{"is the database itself"}},
		{"", []string{"version", "extra"}, 2, []string{`version takes no arguments or flags (got "extra")`}},
		{"", []string{"--version", "--bogus"}, 2, []string{`version takes no arguments or flags (got "--bogus")`}},
		{"", []string{"backup", filepath.Join(dir, "no", "such", "b.db")}, 2, []string{"does not exist"}},
		{"", []string{"restore", filepath.Join(dir, "missing.db")}, 2, []string{"bulletin restore: ", "missing.db does not exist: give the backup file that bulletin backup wrote"}},
		{"", []string{"restore", notDB}, 2, []string{"bulletin restore: ", "not a SQLite database: give a file that bulletin backup wrote"}},
		{"", []string{"seed", emptyDir}, 2, []string{"bulletin seed: ", "lists.json"}},
		// Not the input's fault: the state refuses it. Operational, 1.
		{"", []string{"admin", "delete", "ann@example.com"}, 1, []string{"is the last admin"}},
	} {
		code, _, stderr := run(t, env, tc.stdin, tc.args...)
		saidOneLine(t, tc.args, code, stderr, tc.code, tc.want...)
	}
}

// "digest run --list nope" names the lists there are, or where to see
// them, never "bulletin export", which lists subscribers.
func TestDigestUnknownListNamesTheLists(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data}
	if code, _, stderr := run(t, env, "", "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	args := []string{"digest", "run", "--list", "nope"}
	code, _, stderr := run(t, env, "", args...)
	saidOneLine(t, args, code, stderr, 2, `bulletin digest: There is no list "nope".`, "no lists yet", "/admin/lists")
	if code, _, stderr := run(t, env, "", "seed"); code != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	code, _, stderr = run(t, env, "", args...)
	saidOneLine(t, args, code, stderr, 2, `bulletin digest: There is no list "nope".`, "The lists are: daily-news, weekend-culture, editors-desk")
	if strings.Contains(stderr, "bulletin export") {
		t.Errorf("the message sends the user to export, which lists subscribers: %q", stderr)
	}
}

// dkim keygen makes the record for the From saved in the settings (web
// setup, /admin/settings), as doctor checks it, rather than ask for
// --domain because BULLETIN_FROM is at localhost; --domain still wins.
func TestDKIMKeygenUsesTheStoredFrom(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data} // BULLETIN_FROM: its default, at localhost
	if code, _, stderr := run(t, env, "", "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	saveSettings(t, data, pubsettings.Publication{Name: "Harbour Gazette", FromAddress: "news@harbour.test", Credit: true})
	code, stdout, stderr := run(t, env, "", "dkim", "keygen", "--selector", "s1", "--type", "ed25519")
	if code != 0 || !strings.Contains(stdout, "Publish this TXT record in the DNS of harbour.test") ||
		!strings.Contains(stdout, "s1._domainkey.harbour.test") {
		t.Fatalf("keygen with the From saved in the settings: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	// BULLETIN_FROM's keys are the selector settings'; another domain's
	// go in its own folder, which the signer reads for that domain.
	if _, err := os.Stat(filepath.Join(data, "dkim", "harbour.test", "s1.ed25519.pem")); err != nil {
		t.Errorf("the key is not in the folder of harbour.test: %v", err)
	}
	code, stdout, stderr = run(t, env, "", "dkim", "keygen", "--selector", "s2", "--type", "ed25519", "--domain", "other.test")
	if code != 0 || !strings.Contains(stdout, "s2._domainkey.other.test") {
		t.Errorf("keygen --domain: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	// A From saved at a host with no DNS says so, naming the settings.
	saveSettings(t, data, pubsettings.Publication{FromAddress: "news@intranet", Credit: true})
	args := []string{"dkim", "keygen", "--selector", "s3"}
	code, _, stderr = run(t, env, "", args...)
	saidOneLine(t, args, code, stderr, 2, "the From address in the settings is at intranet", "pass --domain")
}

// The first-start line of serve on 127.0.0.1, which nothing elsewhere can
// connect to, sends no other machine anywhere.
func TestServeSetupLineOnLoopback(t *testing.T) {
	m, _, stderr := testMain(t, nil)
	_, stop := startServe(t, m)
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d: %s", code, stderr)
	}
	line := regexp.MustCompile(`no admin yet: [^\n]*`).FindString(stderr.String())
	if line == "" {
		t.Fatalf("no setup line in the log:\n%s", stderr)
	}
	for _, bad := range []string{"from elsewhere", "this host's name or address"} {
		if strings.Contains(line, bad) {
			t.Errorf("the setup line of a loopback listener says %q:\n%s", bad, line)
		}
	}
	for _, want := range []string{"other machines cannot connect to 127.0.0.1", "BULLETIN_ADDR=:", "listens on all interfaces", "with the code "} {
		if !strings.Contains(line, want) {
			t.Errorf("the setup line does not say %q:\n%s", want, line)
		}
	}
}
