package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A BULLETIN_SECRET long enough but plainly not random (40 spaces, 40
// "a") was taken, though the refusal of a short one asks for "32 random
// characters": it is refused the same way, exit 2 and one line that says
// why without showing it, before anything is opened.
func TestSecretNotRandomRefused(t *testing.T) {
	for _, tc := range []struct{ secret, why string }{
		{strings.Repeat(" ", 40), "it is only white space"},
		{strings.Repeat("\t ", 20), "it is only white space"},
		{strings.Repeat("a", 40), "it has only 1 different characters"},
		{strings.Repeat("ab", 20), "it has only 2 different characters"},
		{strings.Repeat("abcdefg", 6), "it has only 7 different characters"},
		{strings.Repeat("x", 21) + "0123456789abcdefghi", "one character makes up more than half of it"},
	} {
		data := filepath.Join(t.TempDir(), "data")
		code, stderr := runBriefly(t, map[string]string{"BULLETIN_DATA": data, "BULLETIN_SECRET": tc.secret}, "serve")
		saidOneLine(t, []string{"serve", tc.why}, code, stderr, 2,
			"bulletin serve: BULLETIN_SECRET is not random ("+tc.why+"): use at least 32 random characters", "or leave it empty to generate one")
		if strings.TrimSpace(tc.secret) != "" && strings.Contains(stderr, tc.secret) {
			t.Errorf("the refusal shows the secret: %q", stderr)
		}
		if _, err := os.Stat(data); err == nil {
			t.Errorf("%q: the data folder was made before the secret was refused", tc.why)
		}
	}
}

// Every secret Bulletin makes, or that the documentation suggests
// (head -c 32 /dev/urandom | base64), and every secret the tests give
// passes.
func TestRandomSecretsPass(t *testing.T) {
	dir := t.TempDir()
	for i := range 300 {
		made, err := createSecret(filepath.Join(dir, fmt.Sprintf("secret%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		if why := notRandom(string(made)); why != "" {
			t.Fatalf("a made secret %q is refused: %s", made, why)
		}
		b := make([]byte, 32)
		rand.Read(b)
		if s := base64.StdEncoding.EncodeToString(b); notRandom(s) != "" {
			t.Fatalf("a base64 secret %q is refused: %s", s, notRandom(s))
		}
	}
	for _, s := range []string{
		"integration-secret-0123456789abcdef01", "site-secret-value-0123456789abcdef", kindsSecret, secretA, secretB,
		"import-secret-0123456789abcdef0123456789", "serve tracking secret 0123456789",
		"4f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7",
	} {
		if why := notRandom(s); why != "" {
			t.Errorf("the test secret %q is refused: %s", s, why)
		}
	}
}
