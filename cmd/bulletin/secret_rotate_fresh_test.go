package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// "secret rotate" says that the links in mail already sent stop working
// only where such mail can be: it said so on a new data folder too, whose
// secret had signed nothing, and scared the operator off a harmless step.
func TestSecretRotateWarnsOnlyWhereLinksWereSent(t *testing.T) {
	const warning = "in mail already sent no longer work"
	rotate := func(t *testing.T, env map[string]string) string {
		t.Helper()
		code, stdout, stderr := run(t, env, "", "secret", "rotate")
		if code != 0 || stderr != "" {
			t.Fatalf("secret rotate: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		return stdout
	}
	// readers adds a reader, as an import would, and takes the
	// fingerprint away when pre is set, as before migration 079.
	readers := func(t *testing.T, data string, pre bool) {
		t.Helper()
		db, err := sqlite.Open(context.Background(), filepath.Join(data, "bulletin.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		qs := []string{`INSERT INTO subscribers (email, email_key, status, created_at, updated_at)
			VALUES ('ann@example.com', 'ann@example.com', 'confirmed', '2026-01-01', '2026-01-01')`}
		if pre {
			qs = append(qs, `DELETE FROM secret_fingerprint`)
		}
		for _, q := range qs {
			if _, err := db.Write.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
	}

	t.Run("new data folder", func(t *testing.T) {
		data := t.TempDir()
		out := rotate(t, map[string]string{"BULLETIN_DATA": data})
		if !strings.Contains(out, "a new DATA/secret") || strings.Contains(out, "no longer") || strings.Contains(out, "erased") {
			t.Errorf("stdout %q: want the new secret named, without a word of links that stop working", out)
		}
		// And the secret it names is the one serve starts with.
		if err := openWith(t, map[string]string{"BULLETIN_DATA": data}); err != nil {
			t.Errorf("after the rotation: %v", err)
		}
	})
	t.Run("started once, nothing sent", func(t *testing.T) {
		data := t.TempDir()
		if err := openWith(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": secretA}); err != nil {
			t.Fatal(err)
		}
		out := rotate(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": secretB})
		if strings.Contains(out, warning) || !strings.Contains(out, "no mail was sent with one") {
			t.Errorf("stdout %q: want it said that no mail carried the old secret's links", out)
		}
	})
	t.Run("a reader", func(t *testing.T) {
		data := t.TempDir()
		if err := openWith(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": secretA}); err != nil {
			t.Fatal(err)
		}
		readers(t, data, false)
		if out := rotate(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": secretB}); !strings.Contains(out, warning) {
			t.Errorf("stdout %q: want the warning that links already sent stop working", out)
		}
	})
	// A database from before fingerprints had a secret that was never
	// recorded: its readers' links stop working all the same.
	t.Run("a reader, no fingerprint", func(t *testing.T) {
		data := t.TempDir()
		if err := openWith(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": secretA}); err != nil {
			t.Fatal(err)
		}
		readers(t, data, true)
		if out := rotate(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": secretB}); !strings.Contains(out, warning) {
			t.Errorf("stdout %q: want the warning that links already sent stop working", out)
		}
	})
}
