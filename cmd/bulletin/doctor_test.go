package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/deliverability/dnstest"
	"github.com/bulletinhq/bulletin/internal/dkim/dkimtest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// As a new user would: make a DKIM key, publish the record keygen prints
// on the (test) DNS, and ask the doctor, which says DKIM is fine and names
// the SPF, DMARC and MX records still to publish, exiting 1; once they are
// published it exits 0.
func TestDoctorAfterKeygen(t *testing.T) {
	env := map[string]string{
		"BULLETIN_DATA":          t.TempDir(),
		"BULLETIN_FROM":          "Harbour Gazette <news@harbour.test>",
		"BULLETIN_SMTP_URL":      "smtp://gazette:hunter2hunter2@smtp.relay.test:587?tls=starttls",
		"BULLETIN_BOUNCE_DOMAIN": "bounces.harbour.test",
		"BULLETIN_BASE_URL":      "https://news.harbour.test",
	}
	srv := dnstest.Serve(t)
	run := func(args ...string) (int, string, string) {
		t.Helper()
		m, stdout, stderr := testMain(t, env)
		m.Resolver = srv.Resolver()
		code := m.Main(context.Background(), args)
		return code, stdout.String(), stderr.String()
	}
	code, out, errOut := run("dkim", "keygen", "--selector", "s1")
	if code != 0 {
		t.Fatalf("keygen: exit %d\n%s%s", code, out, errOut)
	}
	var dkimRecord string
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, " IN TXT ") {
			dkimRecord = line
		}
	}
	env["BULLETIN_DKIM_SELECTOR"] = "s1"
	relay := []string{`smtp.relay.test. 300 IN A 192.0.2.25`, dkimRecord}
	srv.Set(t, relay...)

	code, out, errOut = run("doctor")
	if code != 1 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "bulletin doctor: ") {
		t.Errorf("doctor with records missing: exit %d, stderr %q, want 1 and one line", code, errOut)
	}
	for _, want := range []string{
		finding("OK", "DKIM s1", "harbour.test"),
		finding("MISSING", "SPF", "harbour.test"),
		`publish: harbour.test TXT "v=spf1 a:smtp.relay.test ~all"`,
		finding("MISSING", "DMARC", "harbour.test"),
		`publish: _dmarc.harbour.test TXT "v=DMARC1; p=none; rua=mailto:postmaster@harbour.test"`,
		finding("MISSING", "MX", "bounces.harbour.test"),
		`publish: bounces.harbour.test MX 10 news.harbour.test.`,
		finding("MISSING", "SPF", "bounces.harbour.test"),
		finding("OK", "Gmail/Yahoo", "harbour.test"),
	} {
		if !contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+errOut, "hunter2") {
		t.Error("doctor printed the SMTP password")
	}

	srv.Set(t, append(relay,
		`harbour.test. 300 IN TXT "v=spf1 a:smtp.relay.test -all"`,
		`_dmarc.harbour.test. 300 IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@harbour.test"`,
		`bounces.harbour.test. 300 IN MX 10 news.harbour.test.`,
		`bounces.harbour.test. 300 IN TXT "v=spf1 a:smtp.relay.test -all"`,
	)...)
	code, out, errOut = run("doctor")
	if code != 0 || errOut != "" || strings.Contains(out, "MISSING") || strings.Count(out, "OK ") != 6 {
		t.Errorf("doctor with every record: exit %d, stderr %q, want 0 and 6 findings OK:\n%s", code, errOut, out)
	}

	// Another key under the selector: mail would fail DKIM.
	other, _ := dkimtest.Keys(t)
	other.Selector = "s1"
	srv.Set(t, append(relay[:1],
		other.Record("harbour.test"),
	)...)
	code, out, _ = run("doctor")
	if code != 1 || !contains(out, finding("ERROR", "DKIM s1", "harbour.test")) {
		t.Errorf("doctor with another key published: exit %d\n%s", code, out)
	}
}

// Without a relay the doctor says SPF cannot be judged; with the default
// From at localhost it says to set BULLETIN_FROM; bad usage is exit 2.
func TestDoctorOutboxAndLocalhost(t *testing.T) {
	srv := dnstest.Serve(t, `harbour.test. 300 IN TXT "v=spf1 mx -all"`)
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"outbox", map[string]string{"BULLETIN_FROM": "news@harbour.test"}, []string{"doctor"}, 1, "BULLETIN_SMTP_URL is set"},
		{"localhost", nil, []string{"doctor"}, 1, "set BULLETIN_FROM"},
		{"an argument", nil, []string{"doctor", "harbour.test"}, 2, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, stdout, stderr := testMain(t, tt.env)
			m.Resolver = srv.Resolver()
			if code := m.Main(context.Background(), tt.args); code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, stdout, stderr)
			}
			if !strings.Contains(stdout.String(), tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, stdout)
			}
		})
	}
}

// finding matches the start of a finding's line in the doctor's output.
func finding(status, check, domain string) string {
	return "(?m)^" + status + " +" + regexp.QuoteMeta(check) + " +" + regexp.QuoteMeta(domain) + " "
}

// contains says whether out has want, a finding pattern or a string.
func contains(out, want string) bool {
	if strings.HasPrefix(want, "(?m)") {
		return regexp.MustCompile(want).MatchString(out)
	}
	return strings.Contains(out, want)
}

// A list with its own From sends from another domain: the doctor checks
// that domain too, when there is a database to read the lists from.
func TestDoctorChecksListFromDomains(t *testing.T) {
	srv := dnstest.Serve(t, `harbour.test. 300 IN TXT "v=spf1 mx -all"`)
	env := map[string]string{"BULLETIN_DATA": t.TempDir(), "BULLETIN_FROM": "news@harbour.test"}
	ctx := context.Background()
	if m, _, stderr := testMain(t, env); m.Main(ctx, []string{"migrate"}) != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	db, err := sqlite.Open(ctx, filepath.Join(env["BULLETIN_DATA"], "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Write.Exec(`INSERT INTO lists (slug, name, from_address, created_at) VALUES ('quay', 'Quay', 'Quay Desk <desk@Quay.test>', ?)`, sqlite.Now())
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	m, stdout, _ := testMain(t, env)
	m.Resolver = srv.Resolver()
	m.Main(ctx, []string{"doctor"})
	for _, domain := range []string{"harbour.test", "quay.test"} {
		if !regexp.MustCompile(finding(`\S+`, "DMARC", domain)).MatchString(stdout.String()) {
			t.Errorf("no DMARC finding for %s:\n%s", domain, stdout)
		}
	}
}

// Each From domain is checked against its own keys: a list's domain
// against the keys keygen --domain made for it, never the main domain's;
// a list domain with no key is told the keygen command that makes one.
func TestDoctorChecksEachDomainsOwnKey(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir(), "BULLETIN_FROM": "news@harbour.test"}
	ctx := context.Background()
	record := func(args ...string) string {
		t.Helper()
		m, stdout, stderr := testMain(t, env)
		if code := m.Main(ctx, append([]string{"dkim", "keygen", "--type", "ed25519"}, args...)); code != 0 {
			t.Fatalf("keygen %v: %s", args, stderr)
		}
		return regexp.MustCompile(`(?m)^\S+ IN TXT .*$`).FindString(stdout.String())
	}
	s1 := record("--selector", "s1")
	record("--selector", "q1", "--domain", "quay.test")
	env["BULLETIN_DKIM_ED25519_SELECTOR"] = "s1"
	if m, _, stderr := testMain(t, env); m.Main(ctx, []string{"migrate"}) != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	db, err := sqlite.Open(ctx, filepath.Join(env["BULLETIN_DATA"], "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range [][2]string{{"quay", "Quay Desk <desk@quay.test>"}, {"dock", "dock@nokey.test"}} {
		if _, err := db.Write.Exec(`INSERT INTO lists (slug, name, from_address, created_at) VALUES (?, ?, ?, ?)`, l[0], l[0], l[1], sqlite.Now()); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	srv := dnstest.Serve(t, s1)
	m, stdout, _ := testMain(t, env)
	m.Resolver = srv.Resolver()
	m.Main(ctx, []string{"doctor"})
	out := stdout.String()
	for _, want := range []string{
		finding("OK", "DKIM s1", "harbour.test"),
		finding("MISSING", "DKIM q1", "quay.test"),
		`publish: q1._domainkey.quay.test TXT "v=DKIM1; k=ed25519; p=`,
		finding("MISSING", "DKIM", "nokey.test"),
		`bulletin dkim keygen --selector s1 --domain nokey.test`,
	} {
		if !contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
	for _, wrong := range []string{"s1._domainkey.quay.test", "s1._domainkey.nokey.test", "q1._domainkey.harbour.test"} {
		if strings.Contains(out, wrong) {
			t.Errorf("doctor checks another domain's key at %s:\n%s", wrong, out)
		}
	}
}
