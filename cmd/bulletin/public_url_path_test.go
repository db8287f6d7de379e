package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A public URL saved with a path before such URLs were refused is named
// in a warning at every start that builds mail: its links carry the path,
// and Bulletin answers only at the root, so they would lead to 404s.
func TestStoredPublicURLWithAPathIsWarnedOf(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data}
	if m, _, stderr := testMain(t, env); m.Main(context.Background(), []string{"seed"}) != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(data, "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.Exec(`INSERT INTO settings (id, public_url, updated_at) VALUES (1, 'https://quayside.example/news', '2026-12-01T00:00:00Z')
		ON CONFLICT (id) DO UPDATE SET public_url = excluded.public_url`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	m, _, stderr := testMain(t, env)
	if code := m.Main(context.Background(), []string{"digest", "run", "--list", "daily-news"}); code != 0 {
		t.Fatalf("digest run exited %d: %s", code, stderr)
	}
	if log := stderr.String(); !strings.Contains(log, "the public URL saved at /admin/settings will not work: leave out the path /news") ||
		!strings.Contains(log, "public_url=https://quayside.example/news") {
		t.Errorf("no warning of the saved public URL's path:\n%s", log)
	}
}
