package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A database from before fingerprints that has readers, opened by a
// command given no secret (an import run from a shell without serve's
// BULLETIN_SECRET), is refused: it used to make a new DATA/secret and
// record it, and serve with its own secret was then refused and told to
// unset it, which would have broken every link already sent. Given the
// secret, the command records it; an empty database still makes one.
func TestSecretNotMadeForAnUpgradedDatabaseWithReaders(t *testing.T) {
	data := t.TempDir()
	if err := openWith(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": secretA}); err != nil {
		t.Fatal(err)
	}
	// As before migration 079: readers, no fingerprint.
	db, err := sqlite.Open(context.Background(), filepath.Join(data, "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DELETE FROM secret_fingerprint`,
		`INSERT INTO subscribers (email, email_key, status, created_at, updated_at) VALUES ('ann@example.com', 'ann@example.com', 'confirmed', '2026-01-01', '2026-01-01')`,
	} {
		if _, err := db.Write.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	refused(t, map[string]string{"BULLETIN_DATA": data}, "BULLETIN_SECRET is not set", "already has readers or campaigns",
		"give this command the BULLETIN_SECRET serve runs with", "bulletin secret rotate")
	if _, err := os.Stat(filepath.Join(data, "secret")); !os.IsNotExist(err) {
		t.Errorf("the refused start made DATA/secret (%v)", err)
	}
	if err := openWith(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": secretA}); err != nil {
		t.Fatalf("serve's own secret: %v", err)
	}
	refused(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": secretB}, "BULLETIN_SECRET is not the secret")

	// An empty database from before fingerprints has nothing signed: a
	// start without a secret makes one, as a new install does.
	empty := t.TempDir()
	if err := openWith(t, map[string]string{"BULLETIN_DATA": empty}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(empty, "secret")); err != nil {
		t.Errorf("a new install has no DATA/secret: %v", err)
	}
}
