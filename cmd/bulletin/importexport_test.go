package main

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// import reports each bad line and keeps the good ones; export writes
// them back as CSV that import reads again without change.
func TestImportThenExport(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	if m, _, stderr := testMain(t, env); m.Main(context.Background(), []string{"seed"}) != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	file := filepath.Join(t.TempDir(), "people.csv")
	os.WriteFile(file, []byte("email,name\nnew.one@example.com,New One\nnot-an-address,Bad\n\"Eve <eve@example.com>\",Eve\nnew.two@Example.COM,New Two\n"), 0o600)

	m, stdout, stderr := testMain(t, env)
	if code := m.Main(context.Background(), []string{"import", file, "--list", "daily-news", "--confirmed"}); code != 0 {
		t.Fatalf("import exited %d: %s", code, stderr)
	}
	out := stdout.String()
	for _, want := range []string{"added 2, updated 0, skipped 0, invalid 2", "invalid line 3:", "invalid line 4:"} {
		if !strings.Contains(out, want) {
			t.Errorf("import printed %q, want %q", out, want)
		}
	}

	m, stdout, _ = testMain(t, env)
	if code := m.Main(context.Background(), []string{"export", "--list", "daily-news"}); code != 0 {
		t.Fatalf("export exited %d", code)
	}
	rows, err := csv.NewReader(strings.NewReader(stdout.String())).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v", err)
	}
	var found int
	for _, r := range rows[1:] {
		if r[0] == "new.one@example.com" || r[0] == "new.two@example.com" {
			found++
		}
	}
	if found != 2 {
		t.Errorf("export lacks the imported subscribers:\n%s", stdout)
	}

	m, _, stderr = testMain(t, env)
	if code := m.Main(context.Background(), []string{"import", file}); code != 2 || !strings.Contains(stderr.String(), "--list SLUG") {
		t.Errorf("import without --list: exit %d, %q", code, stderr)
	}
}
