package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// openWith opens what serve opens on env and closes it again, returning
// the error of the opening.
func openWith(t *testing.T, env map[string]string) error {
	t.Helper()
	m, _, _ := testMain(t, env)
	if _, err := m.ParseFlags("serve", nil, nil); err != nil {
		t.Fatal(err)
	}
	err := m.openAll(context.Background())
	m.Close()
	return err
}

// refused checks that serve on env exits 2 with one line saying each of
// want.
func refused(t *testing.T, env map[string]string, want ...string) {
	t.Helper()
	m, _, stderr := testMain(t, env)
	// Bounded: a serve that starts anyway stops when ctx ends, exit 0.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	code := m.Main(ctx, []string{"serve"})
	saidOneLine(t, []string{"serve"}, code, stderr.String(), 2, want...)
}

const (
	secretA = "secret-a-0123456789abcdef0123456789abcdef"
	secretB = "secret-b-0123456789abcdef0123456789abcdef"
)

// A BULLETIN_SECRET other than the DATA/secret that signed the links
// already sent is refused, with what to do: they used to stop working
// without a word (400 on every unsubscribe link).
func TestSecretOtherThanTheFileIsRefused(t *testing.T) {
	data := t.TempDir()
	if err := openWith(t, map[string]string{"BULLETIN_DATA": data}); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(filepath.Join(data, "secret"))
	if err != nil {
		t.Fatal(err)
	}
	refused(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": secretA},
		"BULLETIN_SECRET differs from DATA/secret", filepath.Join(data, "secret"), "links in mail already sent",
		"unset BULLETIN_SECRET", "bulletin secret rotate")
	// The same secret, from the variable, is the same secret.
	if err := openWith(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": strings.TrimSpace(string(file))}); err != nil {
		t.Errorf("BULLETIN_SECRET set to DATA/secret's value: %v", err)
	}
	// The database keeps a fingerprint, never the secret.
	db, err := sqlite.Open(context.Background(), filepath.Join(data, "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var fp string
	if err := db.Read.QueryRow(`SELECT fingerprint FROM secret_fingerprint`).Scan(&fp); err != nil {
		t.Fatal(err)
	}
	if fp != fingerprint([]byte(strings.TrimSpace(string(file)))) || strings.Contains(fp, strings.TrimSpace(string(file))) {
		t.Errorf("fingerprint %q", fp)
	}
}

// Started with BULLETIN_SECRET and then without it, serve used to make a
// new DATA/secret and sign with that. It is refused, and no file is made.
func TestSecretLeftOutLaterIsRefused(t *testing.T) {
	data := t.TempDir()
	if err := openWith(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": secretA}); err != nil {
		t.Fatal(err)
	}
	refused(t, map[string]string{"BULLETIN_DATA": data}, "BULLETIN_SECRET is not set", "DATA/secret", "links in mail already sent",
		"set BULLETIN_SECRET to the value earlier starts had", "bulletin secret rotate")
	if _, err := os.Stat(filepath.Join(data, "secret")); !os.IsNotExist(err) {
		t.Errorf("a refused start made DATA/secret (%v)", err)
	}
	refused(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": secretB}, "BULLETIN_SECRET is not the secret", "links in mail already sent")
	// A DATA/secret that is not the old one is refused as well.
	if err := os.WriteFile(filepath.Join(data, "secret"), []byte(secretB+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	refused(t, map[string]string{"BULLETIN_DATA": data}, "DATA/secret", "is not the secret", "BULLETIN_SECRET", "links in mail already sent")
	if err := openWith(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": secretA}); err != nil {
		t.Errorf("the old BULLETIN_SECRET again: %v", err)
	}
}

// "secret rotate" makes the secret now set the one serve accepts, and
// says what that costs; an install from before fingerprints records the
// secret of its first start.
func TestSecretRotate(t *testing.T) {
	data := t.TempDir()
	if err := openWith(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": secretA}); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": secretB}, "", "secret", "rotate")
	if code != 0 || !strings.Contains(stdout, "BULLETIN_SECRET") || !strings.Contains(stdout, "no longer work") {
		t.Fatalf("secret rotate: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if err := openWith(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": secretB}); err != nil {
		t.Errorf("after the rotation to it: %v", err)
	}
	refused(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": secretA}, "BULLETIN_SECRET")

	// Without either, it makes a new DATA/secret.
	code, stdout, _ = run(t, map[string]string{"BULLETIN_DATA": data}, "", "secret", "rotate")
	if code != 0 || !strings.Contains(stdout, "a new DATA/secret") {
		t.Fatalf("secret rotate without a secret: exit %d, stdout %q", code, stdout)
	}
	if err := openWith(t, map[string]string{"BULLETIN_DATA": data}); err != nil {
		t.Errorf("after the rotation to a new DATA/secret: %v", err)
	}

	// An install from before fingerprints: its first start records one.
	db, err := sqlite.Open(context.Background(), filepath.Join(data, "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.Exec(`DELETE FROM secret_fingerprint`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := openWith(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": secretA}); err != nil {
		t.Fatalf("first start with no fingerprint: %v", err)
	}
	refused(t, map[string]string{"BULLETIN_DATA": data}, "DATA/secret", "is not the secret")
}

// A backup carries the fingerprint: restored where DATA/secret is
// missing, serve is refused rather than signing with a new secret.
func TestSecretFingerprintTravelsWithABackup(t *testing.T) {
	data := t.TempDir()
	if err := openWith(t, map[string]string{"BULLETIN_DATA": data}); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if code, _, stderr := run(t, map[string]string{"BULLETIN_DATA": data}, "", "backup", backup); code != 0 {
		t.Fatalf("backup: %s", stderr)
	}
	fresh := t.TempDir()
	if code, _, stderr := run(t, map[string]string{"BULLETIN_DATA": fresh}, "", "restore", backup); code != 0 {
		t.Fatalf("restore: %s", stderr)
	}
	refused(t, map[string]string{"BULLETIN_DATA": fresh}, "BULLETIN_SECRET is not set", "put DATA/secret back from a backup")
	secret, err := os.ReadFile(filepath.Join(data, "secret"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fresh, "secret"), secret, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := openWith(t, map[string]string{"BULLETIN_DATA": fresh}); err != nil {
		t.Errorf("with DATA/secret copied: %v", err)
	}
}

// The first start of an install with no fingerprint yet, whose
// BULLETIN_SECRET differs from its DATA/secret, cannot know which signed
// the links already sent: it records BULLETIN_SECRET's and warns.
func TestSecretFirstFingerprintWarnsOfTwoSecrets(t *testing.T) {
	data := t.TempDir()
	if err := os.WriteFile(filepath.Join(data, "secret"), []byte(secretB+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m, _, stderr := testMain(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": secretA})
	if _, err := m.ParseFlags("serve", nil, nil); err != nil {
		t.Fatal(err)
	}
	err := m.openAll(context.Background())
	m.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"level=WARN", "BULLETIN_SECRET differs from DATA/secret", "bulletin secret rotate"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, stderr)
		}
	}
	refused(t, map[string]string{"BULLETIN_DATA": data}, "DATA/secret", "is not the secret")
}
