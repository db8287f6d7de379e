package main

import (
	"net/http"
	"testing"
)

// An operator whose BULLETIN_ADMIN_PASSWORD leaked changes it and
// restarts serve: the new password logs in, and every session logged in
// with the old one ends, as with bulletin admin create (SPEC §1).
func TestAdminPasswordFromEnvChangedAtStartEndsSessions(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir(),
		"BULLETIN_ADMIN_EMAIL": "ed@example.com", "BULLETIN_ADMIN_PASSWORD": "the leaked passphrase"}
	m, _, _ := testMain(t, env)
	base, stop := startServe(t, m)
	leaked := adminLogin(t, base, "ed@example.com", "the leaked passphrase")
	if code := adminStatus(t, base, leaked); code != http.StatusOK {
		t.Fatalf("GET /admin with a fresh session = %d", code)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited with %d", code)
	}

	env["BULLETIN_ADMIN_PASSWORD"] = "a brand new passphrase"
	m, _, _ = testMain(t, env)
	base, stop = startServe(t, m)
	defer stop()
	if c := adminLogin(t, base, "ed@example.com", "a brand new passphrase"); adminStatus(t, base, c) != http.StatusOK {
		t.Fatal("the new password does not log in")
	}
	if code := adminStatus(t, base, leaked); code != http.StatusSeeOther {
		t.Errorf("the session logged in with the old BULLETIN_ADMIN_PASSWORD = %d after a restart with a new one, want 303 to the login page", code)
	}
}

// A restart with the same BULLETIN_ADMIN_PASSWORD changes nothing: the
// admin's sessions stay logged in.
func TestAdminPasswordFromEnvUnchangedAtStartKeepsSessions(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir(),
		"BULLETIN_ADMIN_EMAIL": "ed@example.com", "BULLETIN_ADMIN_PASSWORD": "a long passphrase"}
	m, _, _ := testMain(t, env)
	base, stop := startServe(t, m)
	c := adminLogin(t, base, "ed@example.com", "a long passphrase")
	if code := stop(); code != 0 {
		t.Fatalf("serve exited with %d", code)
	}

	m, _, _ = testMain(t, env)
	base, stop = startServe(t, m)
	defer stop()
	if code := adminStatus(t, base, c); code != http.StatusOK {
		t.Errorf("the session after a restart with the same BULLETIN_ADMIN_PASSWORD = %d, want 200", code)
	}
}
