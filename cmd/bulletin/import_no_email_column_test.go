package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A file whose header names no email column is refused as a whole, with
// or without --list: exit status 2, a message naming the file, its
// columns and the names an email column goes by, and nothing on stdout as
// if lines had been read. It used to say the file had no lists column,
// or with --list import nothing and exit 0.
func TestImportFileWithoutEmailColumnExits2(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	if m, _, stderr := testMain(t, env); m.Main(context.Background(), []string{"seed"}) != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	file := filepath.Join(t.TempDir(), "noemail.csv")
	if err := os.WriteFile(file, []byte("name,lists\nX,daily-news\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"import", file}, {"import", file, "--list", "daily-news"}} {
		m, stdout, stderr := testMain(t, env)
		code := m.Main(context.Background(), args)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2; stdout %q, stderr %q", args, code, stdout, stderr)
		}
		for _, want := range []string{file + " has no email column", "“name”, “lists”", "“email”"} {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("%v: stderr %q lacks %q", args, stderr, want)
			}
		}
		if strings.Contains(stderr.String(), "no lists column") || strings.Contains(stdout.String(), "invalid line") {
			t.Errorf("%v: stdout %q, stderr %q", args, stdout, stderr)
		}
	}
}
