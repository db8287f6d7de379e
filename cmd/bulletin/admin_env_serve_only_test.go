package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// Only serve applies BULLETIN_ADMIN_EMAIL and BULLETIN_ADMIN_PASSWORD:
// an import or a digest run started with the same environment (a cron
// job's) left an admin who has changed the password since with the
// variable's again, and their sessions ended, at every run.
func TestAdminPasswordFromEnvIsServesAlone(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data,
		"BULLETIN_ADMIN_EMAIL": "ed@example.com", "BULLETIN_ADMIN_PASSWORD": "the first passphrase"}
	m, _, _ := testMain(t, env)
	base, stop := startServe(t, m)
	session := adminLogin(t, base, "ed@example.com", "the first passphrase")
	if code := stop(); code != 0 {
		t.Fatalf("serve exited with %d", code)
	}

	csv := filepath.Join(t.TempDir(), "readers.csv")
	if err := os.WriteFile(csv, []byte("email\nann@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cron := map[string]string{"BULLETIN_DATA": data,
		"BULLETIN_ADMIN_EMAIL": "ed@example.com", "BULLETIN_ADMIN_PASSWORD": "what the cron job still has"}
	m, _, stderr := testMain(t, cron)
	if code := m.Main(context.Background(), []string{"seed"}); code != 0 {
		t.Fatalf("seed exited with %d: %s", code, stderr)
	}
	m, _, stderr = testMain(t, cron)
	if code := m.Main(context.Background(), []string{"import", csv, "--list", "daily-news"}); code != 0 {
		t.Fatalf("import exited with %d: %s", code, stderr)
	}
	m, _, stderr = testMain(t, cron)
	if code := m.Main(context.Background(), []string{"digest", "run", "--list", "daily-news"}); code != 0 {
		t.Fatalf("digest run exited with %d: %s", code, stderr)
	}

	m, _, _ = testMain(t, map[string]string{"BULLETIN_DATA": data})
	base, stop = startServe(t, m)
	defer stop()
	if code := adminStatus(t, base, session); code != http.StatusOK {
		t.Errorf("the session from before the import and the digest run = %d, want 200: they ended it", code)
	}
	if c := adminLogin(t, base, "ed@example.com", "the first passphrase"); adminStatus(t, base, c) != http.StatusOK {
		t.Error("the admin's password no longer logs in after an import and a digest run with another in BULLETIN_ADMIN_PASSWORD")
	}
}
