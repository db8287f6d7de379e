package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A seed's subscribers.csv names its lists in any case: "Weekly" is the
// list weekly, and a list named twice so is joined once. A slug that
// names no list is still a mistake, said as the file writes it.
func TestSeedListSlugsInAnyCase(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"lists.json":      `[{"slug":"weekly","name":"Weekly"},{"slug":"daily-news","name":"Daily News"}]`,
		"subscribers.csv": "email,name,lists,status\nann@example.com,Ann,Weekly,confirmed\nbo@example.com,Bo,weekly; WEEKLY;Daily-News,pending\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	if code, stdout, stderr := run(t, env, "", "seed", dir); code != 0 || !strings.Contains(stdout, "2 subscribers added") {
		t.Fatalf("seed: exit %d, %s%s", code, stdout, stderr)
	}
	db, err := sqlite.Open(t.Context(), filepath.Join(env["BULLETIN_DATA"], "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for email, want := range map[string]string{"ann@example.com": "weekly", "bo@example.com": "daily-news,weekly"} {
		var lists string
		err := db.Read.QueryRow(`SELECT group_concat(l.slug, ',' ORDER BY l.slug) FROM subscriptions x JOIN lists l ON l.id = x.list_id
			JOIN subscribers s ON s.id = x.subscriber_id WHERE s.email = ?`, email).Scan(&lists)
		if err != nil || lists != want {
			t.Errorf("%s is on %q (%v), want %s", email, lists, err, want)
		}
	}

	os.WriteFile(filepath.Join(dir, "subscribers.csv"), []byte("email,name,lists,status\ncy@example.com,Cy,Monthly,\n"), 0o600)
	if code, _, stderr := run(t, env, "", "seed", dir); code != 2 || !strings.Contains(stderr, `list "Monthly": there is no such list`) {
		t.Errorf("seed naming no list: exit %d, %q", code, stderr)
	}
}
