package main

import (
	"context"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/deliverability/dnstest"
	pubsettings "github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// First-run setup stores the publication's From address in the settings
// (README: "First-run setup asks for the name, public URL and From
// address"; an empty field takes BULLETIN_FROM as its default), and every
// mail goes out from it. bulletin doctor "checks SPF, DKIM, DMARC … for
// the From domain": the domain mail is sent from, not BULLETIN_FROM's
// built-in default newsletter@localhost.
func TestDoctorChecksThePublicationsFrom(t *testing.T) {
	srv := dnstest.Serve(t, `harbour.test. 300 IN TXT "v=spf1 mx -all"`)
	env := map[string]string{"BULLETIN_DATA": t.TempDir()} // no BULLETIN_FROM: setup set the From
	ctx := context.Background()
	if m, _, stderr := testMain(t, env); m.Main(ctx, []string{"migrate"}) != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	db, err := sqlite.Open(ctx, filepath.Join(env["BULLETIN_DATA"], "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Write.Exec(`INSERT INTO settings (id, name, from_name, from_address, updated_at)
		VALUES (1, 'Harbour Gazette', 'Harbour Gazette', 'news@harbour.test', ?)`, sqlite.Now())
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	m, stdout, _ := testMain(t, env)
	m.Resolver = srv.Resolver()
	m.Main(ctx, []string{"doctor"})
	if !regexp.MustCompile(finding(`\S+`, "DMARC", "harbour.test")).MatchString(stdout.String()) {
		t.Errorf("doctor does not check harbour.test, the domain of the publication's From:\n%s", stdout)
	}
}

// The database holds every reader's address and name, the outgoing
// webhooks' signing secrets and the providers' webhook keys: Bulletin
// keeps it in a 0750 folder and its secret file 0600. "bulletin backup
// FILE" writes the whole of it, in a place the README suggests
// (/srv/backups, copied off with rclone), and must not hand it to every
// local user.
func TestBackupIsNotWorldReadable(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	ctx := context.Background()
	if m, _, stderr := testMain(t, env); m.Main(ctx, []string{"migrate"}) != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	file := filepath.Join(t.TempDir(), "bulletin-Mon.db")
	if m, _, stderr := testMain(t, env); m.Main(ctx, []string{"backup", file}) != 0 {
		t.Fatalf("backup: %s", stderr)
	}
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("the backup is written with mode %#o: other users can read the readers and the secrets in it", perm)
	}
}

// A From saved in the settings at a host with no DNS is fixed in the
// settings: setting BULLETIN_FROM, the default of an empty field, would
// change nothing, so the doctor does not advise it. BULLETIN_FROM's own
// domain, which no mail is sent from then, is not checked.
func TestDoctorAdvisesTheSettingsForTheirFrom(t *testing.T) {
	srv := dnstest.Serve(t)
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data, "BULLETIN_FROM": "news@harbour.test"}
	if code, _, stderr := run(t, env, "", "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	saveSettings(t, data, pubsettings.Publication{FromAddress: "news@intranet", Credit: true})
	m, stdout, _ := testMain(t, env)
	m.Resolver = srv.Resolver()
	if code := m.Main(context.Background(), []string{"doctor"}); code != 1 {
		t.Errorf("doctor: exit %d, want 1", code)
	}
	out := stdout.String()
	if !contains(out, finding("ERROR", "From", "intranet")) || !strings.Contains(out, "/admin/settings") || strings.Contains(out, "BULLETIN_FROM") {
		t.Errorf("doctor does not send the From saved in the settings back to /admin/settings:\n%s", out)
	}
	if strings.Contains(out, "harbour.test") {
		t.Errorf("doctor checks BULLETIN_FROM's domain, which the settings' From replaces:\n%s", out)
	}
}

// /admin/deliverability checks the From saved in the settings too, read
// when the page is viewed: first-run setup saves it while serve runs.
func TestDeliverabilityPageChecksThePublicationsFrom(t *testing.T) {
	srv := dnstest.Serve(t, `harbour.test. 300 IN TXT "v=spf1 mx -all"`)
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data} // no BULLETIN_FROM: setup sets the From
	if code, _, stderr := run(t, env, "a long enough passphrase\n", "admin", "create", "ed@example.com"); code != 0 {
		t.Fatalf("admin create: %s", stderr)
	}
	m, _, _ := testMain(t, env)
	m.Resolver = srv.Resolver()
	base, stop := startServe(t, m)
	defer stop()
	cookie := adminLogin(t, base, "ed@example.com", "a long enough passphrase")
	page := func() string {
		t.Helper()
		req, _ := http.NewRequest("GET", base+"/admin/deliverability", nil)
		req.AddCookie(cookie)
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /admin/deliverability: %d\n%s", resp.StatusCode, body)
		}
		return html.UnescapeString(string(body))
	}
	if body := page(); !strings.Contains(body, "the From address is at localhost") || !strings.Contains(body, "BULLETIN_FROM</code>, which an empty From there takes") {
		t.Fatalf("before setup, the page does not check BULLETIN_FROM's default:\n%s", body)
	}
	// Saved through serve's own store, as the settings form saves.
	if err := m.app.Settings.Save(context.Background(), &pubsettings.Update{Publication: pubsettings.Publication{
		Name: "Harbour Gazette", FromAddress: "news@harbour.test", Credit: true}}); err != nil {
		t.Fatal(err)
	}
	if body := page(); !strings.Contains(body, "_dmarc.harbour.test") || strings.Contains(body, "localhost") {
		t.Errorf("the page does not check harbour.test, the domain of the publication's From:\n%s", body)
	}
}

// A restored database holds what a backup holds: it is readable by its
// owner only, as the backup was.
func TestRestoredDatabaseIsNotWorldReadable(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data}
	if code, _, stderr := run(t, env, "", "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	file := filepath.Join(t.TempDir(), "bulletin-Mon.db")
	if code, _, stderr := run(t, env, "", "backup", file); code != 0 {
		t.Fatalf("backup: %s", stderr)
	}
	if code, _, stderr := run(t, env, "", "restore", file); code != 0 {
		t.Fatalf("restore: %s", stderr)
	}
	st, err := os.Stat(filepath.Join(data, "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("the restored database has mode %#o: other users can read the readers and the secrets in it", perm)
	}
}
