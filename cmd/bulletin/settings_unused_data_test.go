package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/deliverability/dnstest"
)

// The password in the malformed SMTP URLs below: no line may show it.
const unusedPassword = "Hunter2-in-the-url"

// Malformed SMTP URLs with a password in them, each refused by serve for
// another reason.
var badSMTPURLs = []string{
	"smtp://ed:" + unusedPassword + "@relay.example.com:587/mail",
	"smtp://ed:" + unusedPassword + "@relay.example.com:587?tls=maybe",
	"smtps://ed:" + unusedPassword + "@relay.example.com:99999",
	"smtp//ed:" + unusedPassword + "@relay.example.com:587",
}

// checkUnusedWarning checks that stderr is one warning per setting in
// names, each naming it as given and saying that serve refuses it, and
// that no line shows the password.
func checkUnusedWarning(t *testing.T, what, cmd, stderr string, names ...string) {
	t.Helper()
	if strings.Contains(stderr, unusedPassword) {
		t.Errorf("%s: the warning shows the password: %q", what, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if stderr == "" || len(lines) != len(names) {
		t.Errorf("%s: stderr %q; want %d warning line(s)", what, stderr, len(names))
		return
	}
	for i, name := range names {
		for _, want := range []string{"bulletin " + cmd + ": warning: " + name, cmd + " does not use this setting and goes on",
			"bulletin serve and the other commands that use it refuse to run until it is fixed"} {
			if !strings.Contains(lines[i], want) {
				t.Errorf("%s: warning %q does not say %q", what, lines[i], want)
			}
		}
	}
}

// backup reads the data folder alone: a malformed BULLETIN_SMTP_URL, which
// an operator may be in the middle of fixing, is said as a warning (never
// with its password) and the backup is written, exit 0. It used to refuse
// with exit 2 and write nothing.
func TestBackupWarnsOfMalformedSMTPURL(t *testing.T) {
	data := t.TempDir()
	if code, _, stderr := run(t, map[string]string{"BULLETIN_DATA": data}, "", "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	for i, smtpURL := range badSMTPURLs {
		for _, given := range []string{"environment", "flag"} {
			env := map[string]string{"BULLETIN_DATA": data}
			file := filepath.Join(t.TempDir(), "b.db")
			args := []string{"backup", file}
			name := "BULLETIN_SMTP_URL"
			if given == "flag" {
				args = []string{"backup", "--smtp-url", smtpURL, file}
				name = "--smtp-url"
			} else {
				env["BULLETIN_SMTP_URL"] = smtpURL
			}
			what := "backup with SMTP URL " + string(rune('A'+i)) + " from the " + given
			code, stdout, stderr := run(t, env, "", args...)
			if code != 0 || !strings.HasPrefix(stdout, "backed up "+filepath.Join(data, "bulletin.db")+" to "+file) {
				t.Errorf("%s: exit %d, stdout %q, stderr %q; want 0 and the backup written", what, code, stdout, stderr)
			}
			if head, err := os.ReadFile(file); err != nil || !bytes.HasPrefix(head, []byte("SQLite format 3\x00")) {
				t.Errorf("%s: no SQLite backup at %s (%v)", what, file, err)
			}
			checkUnusedWarning(t, what, "backup", stderr, name)
		}
	}
}

// migrate, on a new data folder, makes the database despite malformed
// settings it does not use, and says each of them.
func TestMigrateWarnsOfMalformedSettings(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	env := map[string]string{
		"BULLETIN_DATA":       data,
		"BULLETIN_SMTP_URL":   badSMTPURLs[1],
		"BULLETIN_SMTP_CONNS": "0",
		"BULLETIN_BASE_URL":   "ftp://ed:" + unusedPassword + "@news.example.com",
	}
	code, stdout, stderr := run(t, env, "", "migrate", "--from", "Acme, Inc <news@example.com>")
	if code != 0 || !strings.Contains(stdout, "\ndatabase "+filepath.Join(data, "bulletin.db")+" is up to date") {
		t.Fatalf("migrate: exit %d, stdout %q, stderr %q; want 0", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(data, "bulletin.db")); err != nil {
		t.Errorf("migrate made no database: %v", err)
	}
	// In the order serve checks them; the flag named as typed.
	checkUnusedWarning(t, "migrate", "migrate", stderr, "BULLETIN_BASE_URL", "BULLETIN_SMTP_URL", "BULLETIN_SMTP_CONNS", `--from "Acme, Inc <news@example.com>"`)
}

// backedUp makes a data folder with a migrated database and a secret set,
// and a backup of it; it returns the settings and the backup's path.
func backedUp(t *testing.T) (map[string]string, string) {
	t.Helper()
	env := map[string]string{"BULLETIN_DATA": t.TempDir(), "BULLETIN_SECRET": "backup-secret-0123456789abcdef0123"}
	file := filepath.Join(t.TempDir(), "b.db")
	if code, _, stderr := run(t, env, "", "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	if code, _, stderr := run(t, env, "", "backup", file); code != 0 {
		t.Fatalf("backup: %s", stderr)
	}
	return env, file
}

// restore puts a backup back whatever BULLETIN_FROM says.
func TestRestoreWarnsOfMalformedFrom(t *testing.T) {
	env, file := backedUp(t)
	env["BULLETIN_FROM"] = "not an address"
	code, stdout, stderr := run(t, env, "", "restore", file)
	if code != 0 || !strings.HasPrefix(stdout, "restored "+file) {
		t.Fatalf("restore: exit %d, stdout %q, stderr %q; want 0", code, stdout, stderr)
	}
	checkUnusedWarning(t, "restore", "restore", stderr, `BULLETIN_FROM "not an address"`)
}

// restore uses BULLETIN_SECRET, to warn of a folder left with no secret:
// a malformed one stops it, as it would serve, rather than being taken
// for a secret set and silencing that warning.
func TestRestoreRefusesMalformedSecret(t *testing.T) {
	env, file := backedUp(t)
	env["BULLETIN_SECRET"] = "short"
	code, stdout, stderr := run(t, env, "", "restore", file)
	if code != 2 || stdout != "" || !strings.Contains(stderr, "BULLETIN_SECRET is too short") || strings.Contains(stderr, "warning") {
		t.Fatalf("restore with a short secret: exit %d, stdout %q, stderr %q; want 2 and the secret refused", code, stdout, stderr)
	}
	if strings.Contains(stderr, "short\"") || strings.Contains(stderr, "=short") {
		t.Errorf("the refusal shows the secret: %q", stderr)
	}
}

// What these commands use still stops them, with the one line of before
// and no warning: an empty data folder is none to back up or migrate. (A
// test's empty variable is an unset one, so the flag gives it.)
func TestDataCommandsRefuseBadData(t *testing.T) {
	for _, args := range [][]string{{"backup", "--data=", filepath.Join(t.TempDir(), "b.db")}, {"migrate", "--data="}, {"restore", "--data=", filepath.Join(t.TempDir(), "b.db")}} {
		env := map[string]string{"BULLETIN_ADDR": "nowhere", "BULLETIN_SMTP_URL": badSMTPURLs[0]}
		code, _, stderr := run(t, env, "", args...)
		saidOneLine(t, args, code, stderr, 2, "bulletin "+args[0]+": --data is empty: give a folder")
		if strings.Contains(stderr, "warning") {
			t.Errorf("%v: a refusal with a warning: %q", args, stderr)
		}
	}
}

// serve, worker and the commands that send keep refusing a malformed
// setting, with the first one serve checks, on one line and before the
// data folder is touched. (seed, which sends nothing, warns instead: see
// settings_unused_more_test.go.)
func TestSendingCommandsStillRefuseMalformedSMTPURL(t *testing.T) {
	for _, args := range [][]string{{"serve"}, {"worker"}, {"import", "x.csv"}, {"digest", "run", "--list", "news"}} {
		env := map[string]string{
			"BULLETIN_DATA":       filepath.Join(t.TempDir(), "data"),
			"BULLETIN_REDIS_URL":  "redis://127.0.0.1:1/0",
			"BULLETIN_SMTP_URL":   badSMTPURLs[1],
			"BULLETIN_SMTP_CONNS": "0",
		}
		code, stderr := runBriefly(t, env, args...)
		saidOneLine(t, args, code, stderr, 2, "bulletin "+args[0]+": BULLETIN_SMTP_URL: tls=\"maybe\", want none, starttls, tls or auto")
		if strings.Contains(stderr, unusedPassword) || strings.Contains(stderr, "warning") {
			t.Errorf("%v: stderr %q", args, stderr)
		}
		if _, err := os.Stat(env["BULLETIN_DATA"]); err == nil {
			t.Errorf("%v: the data folder was made before the setting was refused", args)
		}
	}
}

// doctor reports a malformed setting its checks do not use rather than
// refusing to check: the warning, then the report, and exit 1, since
// serve would not start. One its checks use stops it as before.
func TestDoctorReportsMalformedSetting(t *testing.T) {
	env := map[string]string{"BULLETIN_SMTP_CONNS": "0", "BULLETIN_REDIS_URL": "redis://:" + unusedPassword + "@h:6379/x"}
	m, stdout, stderr := testMain(t, env)
	code := m.Main(t.Context(), []string{"doctor"})
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	if code != 1 || len(lines) != 3 || !strings.Contains(stdout.String(), "Deliverability of ") {
		t.Fatalf("doctor: exit %d, stdout %q, stderr %q; want 1, the report and two warnings before the verdict", code, stdout, stderr)
	}
	checkUnusedWarning(t, "doctor", "doctor", strings.Join(lines[:2], "\n"), "BULLETIN_REDIS_URL", "BULLETIN_SMTP_CONNS")
	if !strings.Contains(lines[2], "fix the settings the warnings above name too") {
		t.Errorf("doctor's verdict %q does not point at the settings", lines[2])
	}

	code, stderr2 := runBriefly(t, map[string]string{"BULLETIN_SMTP_URL": badSMTPURLs[0]}, "doctor")
	saidOneLine(t, []string{"doctor"}, code, stderr2, 2, "bulletin doctor: BULLETIN_SMTP_URL: unexpected path")
	if strings.Contains(stderr2, unusedPassword) {
		t.Errorf("doctor shows the password: %q", stderr2)
	}
}

// With every record published, a malformed setting doctor does not use is
// still why it exits 1: serve would not start.
func TestDoctorRecordsInPlaceButSettingMalformed(t *testing.T) {
	env := map[string]string{
		"BULLETIN_DATA":     t.TempDir(),
		"BULLETIN_FROM":     "Harbour Gazette <news@harbour.test>",
		"BULLETIN_SMTP_URL": "smtp://gazette:" + unusedPassword + "@smtp.relay.test:587",
	}
	m, stdout, stderr := testMain(t, env)
	if code := m.Main(t.Context(), []string{"dkim", "keygen", "--type", "ed25519", "--selector", "s1"}); code != 0 {
		t.Fatalf("keygen: %s", stderr)
	}
	key := regexp.MustCompile(`(?m)^\S+ IN TXT .*$`).FindString(stdout.String())
	env["BULLETIN_DKIM_ED25519_SELECTOR"] = "s1"
	srv := dnstest.Serve(t, key, `smtp.relay.test. 300 IN A 192.0.2.25`,
		`harbour.test. 300 IN TXT "v=spf1 a:smtp.relay.test -all"`,
		`_dmarc.harbour.test. 300 IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@harbour.test"`)
	doctor := func() (int, string, string) {
		m, stdout, stderr := testMain(t, env)
		m.Resolver = srv.Resolver()
		return m.Main(t.Context(), []string{"doctor"}), stdout.String(), stderr.String()
	}
	if code, out, errOut := doctor(); code != 0 || errOut != "" {
		t.Fatalf("doctor with every record: exit %d, stderr %q; want 0\n%s", code, errOut, out)
	}

	env["BULLETIN_METRICS_TOKEN"] = "short"
	code, out, errOut := doctor()
	lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	if code != 1 || len(lines) != 2 || strings.Contains(out, "MISSING") {
		t.Fatalf("doctor with every record and a short metrics token: exit %d, stderr %q; want 1, a warning and the verdict\n%s", code, errOut, out)
	}
	checkUnusedWarning(t, "doctor", "doctor", lines[0], "BULLETIN_METRICS_TOKEN")
	if want := "bulletin doctor: the DNS records are in place, but bulletin serve refuses the settings the warnings above name"; !strings.HasPrefix(lines[1], want) {
		t.Errorf("doctor's verdict %q, want it to start %q", lines[1], want)
	}
}

// Which command an error stops is decided by the setting it names first:
// each refusal names its own setting before any other it mentions.
func TestSettingErrorsNameTheirSettingFirst(t *testing.T) {
	for env, bad := range map[string]string{
		"BULLETIN_ADDR":                    "nowhere",
		"BULLETIN_BASE_URL":                "ftp://news.example.com",
		"BULLETIN_REDIS_URL":               "localhost:6379",
		"BULLETIN_SMTP_URL":                badSMTPURLs[2],
		"BULLETIN_SMTP_RATE":               "NaN",
		"BULLETIN_NO_SEND":                 "1", // without BULLETIN_REDIS_URL
		"BULLETIN_FROM":                    "news",
		"BULLETIN_SECRET":                  "short",
		"BULLETIN_DKIM_SELECTOR":           "s1._domainkey",
		"BULLETIN_BOUNCE_ADDR":             ":2525", // without BULLETIN_BOUNCE_DOMAIN
		"BULLETIN_BOUNCE_MAILBOX":          "imaps://ed:pw@imap.example.com/INBOX",
		"BULLETIN_WEBHOOK_SES_TOPIC":       "bounces",
		"BULLETIN_WEBHOOK_SENDGRID_SECRET": "not base64",
		"BULLETIN_ADMIN_EMAIL":             "ann@example.com", // without a password
	} {
		sv := registerFlags(flag.NewFlagSet("", flag.ContinueOnError), func(k string) string {
			if k == env {
				return bad
			}
			return ""
		})
		_, errs := checkSettings(sv.vals)
		if len(errs) != 1 {
			t.Errorf("%s=%q: errors %q, want one", env, bad, errs)
			continue
		}
		if got := settingOf(errs[0].Error()); got != env {
			t.Errorf("%s=%q: %q is taken to be about %q", env, bad, errs[0], got)
		}
	}
}
