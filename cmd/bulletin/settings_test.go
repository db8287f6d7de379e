package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pubsettings "github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// saveSettings stores p as the admin's settings page would, on the data
// folder's database.
func saveSettings(t *testing.T, data string, p pubsettings.Publication) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(data, "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st := pubsettings.NewStore(db, filepath.Join(data, "media"), pubsettings.Defaults{})
	if err := st.Save(context.Background(), &pubsettings.Update{Publication: p}); err != nil {
		t.Fatal(err)
	}
}

// outbox returns the messages in the data folder's outbox, joined.
func outbox(t *testing.T, data string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(data, "outbox", "*.eml"))
	var b strings.Builder
	for _, f := range files {
		buf, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(buf)
	}
	return b.String()
}

// TestMailOutsideServeUsesTheStoredPublicURL: "digest run" and "import"
// build their mail with the publication of the settings, its public URL
// above BULLETIN_BASE_URL, and say so in a warning when the two disagree.
func TestMailOutsideServeUsesTheStoredPublicURL(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"BULLETIN_DATA": data, "BULLETIN_BASE_URL": "https://env.example"}
	if m, _, stderr := testMain(t, env); m.Main(context.Background(), []string{"seed"}) != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	saveSettings(t, data, pubsettings.Publication{Name: "Quayside Courier", PublicURL: "https://letters.quayside.example",
		PostalAddress: "4 Rope Walk\nFalmouth", FromAddress: "post@quayside.example", Credit: true})

	m, _, stderr := testMain(t, env)
	if code := m.Main(context.Background(), []string{"digest", "run", "--list", "daily-news"}); code != 0 {
		t.Fatalf("digest run exited %d: %s", code, stderr)
	}
	file := filepath.Join(t.TempDir(), "readers.csv")
	os.WriteFile(file, []byte("email,name\nnew.reader@example.org,New Reader\n"), 0o644)
	m2, _, stderr2 := testMain(t, env)
	if code := m2.Main(context.Background(), []string{"import", file, "--list", "daily-news"}); code != 0 {
		t.Fatalf("import exited %d: %s", code, stderr2)
	}
	mail := outbox(t, data)
	for _, want := range []string{"https://letters.quayside.example/unsubscribe/", "https://letters.quayside.example/confirm/",
		"Quayside Courier", "4 Rope Walk", "post@quayside.example"} {
		if !strings.Contains(mail, want) {
			t.Errorf("mail built outside serve lacks %q", want)
		}
	}
	if strings.Contains(mail, "env.example") {
		t.Error("mail built outside serve links to BULLETIN_BASE_URL, not the stored public URL")
	}
	for _, log := range []string{stderr.String(), stderr2.String()} {
		if !strings.Contains(log, "BULLETIN_BASE_URL") || !strings.Contains(log, "https://letters.quayside.example") || !strings.Contains(log, "level=WARN") {
			t.Errorf("no warning that BULLETIN_BASE_URL and the stored public URL disagree:\n%s", log)
		}
	}

	// Without BULLETIN_BASE_URL there is nothing to disagree with.
	m3, _, stderr3 := testMain(t, map[string]string{"BULLETIN_DATA": data})
	if code := m3.Main(context.Background(), []string{"digest", "run", "--list", "daily-news"}); code != 0 {
		t.Fatalf("digest run exited %d: %s", code, stderr3)
	}
	if strings.Contains(stderr3.String(), "BULLETIN_BASE_URL") {
		t.Errorf("a warning without BULLETIN_BASE_URL set:\n%s", stderr3)
	}
}
