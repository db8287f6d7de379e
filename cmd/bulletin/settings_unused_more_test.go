package main

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// runWarned runs args, which must succeed, and checks that stderr is a
// warning for each setting in names, in that order, and that no stream
// shows the password of the malformed settings. It returns stdout.
func runWarned(t *testing.T, env map[string]string, stdin string, args []string, names ...string) string {
	t.Helper()
	code, stdout, stderr := run(t, env, stdin, args...)
	if code != 0 {
		t.Fatalf("%v: exit %d, stdout %q, stderr %q; want 0", args, code, stdout, stderr)
	}
	if strings.Contains(stdout, unusedPassword) {
		t.Errorf("%v: stdout shows the password: %q", args, stdout)
	}
	checkUnusedWarning(t, strings.Join(args, " "), args[0], stderr, names...)
	return stdout
}

// admin opens the database alone: each of its subcommands does its work
// despite a malformed BULLETIN_SMTP_URL, which it says as a warning.
func TestAdminWarnsOfMalformedSMTPURL(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir(), "BULLETIN_SMTP_URL": badSMTPURLs[0]}
	if out := runWarned(t, env, "a long enough passphrase\n", []string{"admin", "create", "ann@example.com"}, "BULLETIN_SMTP_URL"); out != "admin ann@example.com created\n" {
		t.Errorf("admin create ann: stdout %q", out)
	}
	if out := runWarned(t, env, "another long passphrase\n", []string{"admin", "create", "ed@example.com"}, "BULLETIN_SMTP_URL"); out != "admin ed@example.com created\n" {
		t.Errorf("admin create ed: stdout %q", out)
	}
	out := runWarned(t, env, "", []string{"admin", "list"}, "BULLETIN_SMTP_URL")
	if !strings.HasPrefix(out, "EMAIL") || !strings.Contains(out, "\nann@example.com ") || !strings.Contains(out, "\ned@example.com ") {
		t.Errorf("admin list: stdout %q, want both admins", out)
	}
	if out := runWarned(t, env, "", []string{"admin", "delete", "ed@example.com"}, "BULLETIN_SMTP_URL"); !strings.HasPrefix(out, "admin ed@example.com deleted") {
		t.Errorf("admin delete: stdout %q", out)
	}
	// Given as a flag, it is named so.
	env["BULLETIN_SMTP_URL"] = ""
	out = runWarned(t, env, "", []string{"admin", "list", "--smtp-url", badSMTPURLs[1]}, "--smtp-url")
	if !strings.Contains(out, "\nann@example.com ") || strings.Contains(out, "ed@example.com") {
		t.Errorf("admin list after the delete: stdout %q, want ann alone", out)
	}
}

// token and export open the database alone: a malformed SMTP URL is said
// as a warning, first on stderr, before what the command says there
// itself, and a token is made, listed and revoked, and the readers
// exported, all the same.
func TestTokenAndExportWarnOfMalformedSMTPURL(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"BULLETIN_DATA": data, "BULLETIN_SMTP_URL": badSMTPURLs[0]}
	if code, _, stderr := run(t, map[string]string{"BULLETIN_DATA": data}, "", "seed"); code != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	for _, tc := range []struct {
		args           []string
		stdout, stderr string // what each starts with or holds
	}{
		{[]string{"token", "create", "ci"}, "bt_", "Keep this token: it is shown only once."},
		{[]string{"token", "list"}, "", "ci"},
		{[]string{"token", "revoke", "ci"}, "", "revoked"},
		{[]string{"export"}, "email,", "exported 20 subscribers"},
	} {
		code, stdout, stderr := run(t, env, "", tc.args...)
		warning, rest, _ := strings.Cut(stderr, "\n")
		if code != 0 || strings.Contains(stdout+stderr, unusedPassword) {
			t.Fatalf("%v: exit %d, stdout %.200q, stderr %q; want 0 and no password", tc.args, code, stdout, stderr)
		}
		checkUnusedWarning(t, strings.Join(tc.args, " "), tc.args[0], warning+"\n", "BULLETIN_SMTP_URL")
		if !strings.HasPrefix(strings.TrimPrefix(stdout, "\ufeff"), tc.stdout) || !strings.Contains(stdout+rest, tc.stderr) {
			t.Errorf("%v: stdout %.200q, stderr after the warning %q; want stdout starting %q and %q said", tc.args, stdout, rest, tc.stdout, tc.stderr)
		}
	}
}

// seed uses the data folder and the secret, and nothing that sends: a
// malformed SMTP URL or template folder does not stop it.
func TestSeedWarnsOfMalformedSettings(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"BULLETIN_DATA": data, "BULLETIN_SMTP_URL": badSMTPURLs[2],
		"BULLETIN_TEMPLATES": filepath.Join(t.TempDir(), "none")}
	out := runWarned(t, env, "", []string{"seed"}, "BULLETIN_TEMPLATES", "BULLETIN_SMTP_URL")
	if !strings.HasPrefix(out, "seeded: ") || strings.HasPrefix(out, "seeded: 0 lists") {
		t.Errorf("seed: stdout %q, want the sample content added", out)
	}
	for _, name := range []string{"bulletin.db", "secret"} {
		if _, err := os.Stat(filepath.Join(data, name)); err != nil {
			t.Errorf("seed left no %s: %v", name, err)
		}
	}
}

// secret rotate uses the data folder and the secret alone.
func TestSecretRotateWarnsOfMalformedSMTPURL(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": "rotate-secret-0123456789abcdef012345678"}
	out := runWarned(t, env, "", []string{"secret", "--smtp-url", badSMTPURLs[3], "rotate"}, "--smtp-url")
	if out != "the links in mail are signed with BULLETIN_SECRET from the next start\n" {
		t.Errorf("secret rotate: stdout %q", out)
	}
	env["BULLETIN_SMTP_URL"] = badSMTPURLs[0]
	if out := runWarned(t, env, "", []string{"secret", "rotate"}, "BULLETIN_SMTP_URL"); !strings.Contains(out, "already: nothing changed") {
		t.Errorf("secret rotate again: stdout %q, want nothing changed", out)
	}
}

// dkim keygen writes a key for BULLETIN_FROM's domain into the DKIM folder
// despite a malformed SMTP URL and a malformed selector setting, which
// it does not read: the selector of the key it makes is its flag.
func TestDKIMKeygenWarnsOfMalformedSettings(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data, "BULLETIN_FROM": "Harbour Gazette <news@harbour.test>",
		"BULLETIN_SMTP_URL": badSMTPURLs[1], "BULLETIN_DKIM_SELECTOR": "s1._domainkey"}
	out := runWarned(t, env, "", []string{"dkim", "keygen", "--selector", "s2", "--type", "ed25519"}, "BULLETIN_SMTP_URL", "BULLETIN_DKIM_SELECTOR:")
	key := filepath.Join(data, "dkim", "s2.ed25519.pem")
	if !strings.HasPrefix(out, "wrote "+key) || !strings.Contains(out, "s2._domainkey.harbour.test. IN TXT") {
		t.Errorf("keygen: stdout %q", out)
	}
	if _, err := os.Stat(key); err != nil {
		t.Errorf("keygen wrote no key: %v", err)
	}
}

// A malformed setting that these commands use stops them as before: exit
// 2, one line naming it, no warning, and nothing written.
func TestDataCommandsRefuseMalformedSettingsTheyUse(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		stdin string
		env   map[string]string
		want  string
	}{
		{[]string{"admin", "create", "ann@example.com"}, "a long enough passphrase\n", nil, "bulletin admin: --data is empty"},
		{[]string{"admin", "list"}, "", nil, "bulletin admin: --data is empty"},
		{[]string{"seed"}, "", map[string]string{"BULLETIN_SECRET": "short"}, "bulletin seed: BULLETIN_SECRET is too short"},
		{[]string{"secret", "rotate"}, "", map[string]string{"BULLETIN_SECRET": "short"}, "bulletin secret: BULLETIN_SECRET is too short"},
		{[]string{"dkim", "keygen", "--selector", "s1"}, "", map[string]string{"BULLETIN_FROM": "Acme, Inc <news@example.com>"},
			`bulletin dkim: BULLETIN_FROM "Acme, Inc <news@example.com>": a name with punctuation goes in double quotes`},
	} {
		data := filepath.Join(t.TempDir(), "data")
		env := map[string]string{"BULLETIN_DATA": data, "BULLETIN_SMTP_URL": badSMTPURLs[0]}
		for k, v := range tc.env {
			env[k] = v
		}
		args := tc.args
		if tc.env == nil { // a test's empty variable is an unset one
			args = append(slices.Clone(args[:1]), append([]string{"--data="}, args[1:]...)...)
		}
		code, stdout, stderr := run(t, env, tc.stdin, args...)
		saidOneLine(t, args, code, stderr, 2, tc.want)
		if stdout != "" || strings.Contains(stderr, "warning") || strings.Contains(stderr, unusedPassword) {
			t.Errorf("%v: stdout %q, stderr %q", args, stdout, stderr)
		}
		if _, err := os.Stat(data); err == nil {
			t.Errorf("%v: the data folder was made", args)
		}
	}
}

// badGroupSettings are a malformed value of each DKIM, bounce and webhook
// setting, in the order serve checks them.
var badGroupSettings = []struct{ env, value string }{
	{"BULLETIN_DKIM_SELECTOR", "s1._domainkey"},
	{"BULLETIN_DKIM_ED25519_SELECTOR", "-ed"},
	{"BULLETIN_BOUNCE_DOMAIN", "localhost"},
	{"BULLETIN_BOUNCE_MAILBOX", "imaps//ed:" + unusedPassword + "@imap.example.com/INBOX"},
	{"BULLETIN_BOUNCE_ADDR", "nowhere"},
	{"BULLETIN_WEBHOOK_SES_TOPIC", "bounces"},
	{"BULLETIN_WEBHOOK_POSTMARK_SECRET", "no-colon"},
	{"BULLETIN_WEBHOOK_SENDGRID_SECRET", "not base64"},
}

// settingErrors returns the refusals of checkSettings given env.
func settingErrors(env map[string]string) []string {
	sv := registerFlags(flag.NewFlagSet("", flag.ContinueOnError), func(k string) string { return env[k] })
	_, errs := checkSettings(sv.vals)
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	return msgs
}

// With the DKIM, bounce and webhook settings all malformed, each is
// refused, in the order of the settings whatever the run, and worded as
// when it is the only one wrong. Each group stopped at its first, and the
// two selectors were checked in a map's order.
func TestGroupSettingsRefusedEach(t *testing.T) {
	env := map[string]string{}
	var want []string
	for _, s := range badGroupSettings {
		env[s.env] = s.value
		alone := settingErrors(map[string]string{s.env: s.value})
		if len(alone) != 1 || settingOf(alone[0]) != s.env {
			t.Fatalf("%s=%q alone: errors %q, want one about it", s.env, s.value, alone)
		}
		want = append(want, alone[0])
	}
	for range 20 {
		if got := settingErrors(env); !slices.Equal(got, want) {
			t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// migrate warns of every malformed DKIM and bounce setting, in serve's
// order, run after run: it said one of each group, and of the two
// selectors either. serve is refused with the first.
func TestMigrateWarnsOfEveryMalformedDKIMAndBounceSetting(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"BULLETIN_DATA": data}
	var names []string
	for _, s := range badGroupSettings[:5] {
		env[s.env] = s.value
		names = append(names, s.env)
	}
	names[0] += ":" // not the start of BULLETIN_DKIM_ED25519_SELECTOR
	for range 3 {
		runWarned(t, env, "", []string{"migrate"}, names...)
	}

	env["BULLETIN_DATA"] = filepath.Join(t.TempDir(), "data")
	code, stderr := runBriefly(t, env, "serve")
	saidOneLine(t, []string{"serve"}, code, stderr, 2, `bulletin serve: BULLETIN_DKIM_SELECTOR: selector "s1._domainkey": use letters, digits and inner hyphens`)
	if strings.Contains(stderr, unusedPassword) {
		t.Errorf("serve shows the password: %q", stderr)
	}
	if _, err := os.Stat(env["BULLETIN_DATA"]); err == nil {
		t.Error("serve made the data folder before refusing the settings")
	}
}
