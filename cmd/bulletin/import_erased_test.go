package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/subscribers"
)

// "Erase … keeps only a keyed hash of the address so an import cannot
// bring them back unnoticed." An import from the command line with
// --confirmed (or with BULLETIN_REDIS_URL set) must find the erased
// address as serve's admin import does, keyed by the same secret.
func TestCLIImportSkipsErasedAddress(t *testing.T) {
	const secret = "import-secret-0123456789abcdef0123456789"
	env := map[string]string{"BULLETIN_DATA": t.TempDir(), "BULLETIN_SECRET": secret}
	ctx := context.Background()
	if m, _, stderr := testMain(t, env); m.Main(ctx, []string{"migrate"}) != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	db, err := sqlite.Open(ctx, filepath.Join(env["BULLETIN_DATA"], "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	store := subscribers.NewStore(db)
	store.SetSecret([]byte(secret)) // as serve keys it
	if err := store.CreateList(ctx, &subscribers.List{Slug: "news", Name: "News", Public: true}); err != nil {
		t.Fatal(err)
	}
	sub, err := store.Create(ctx, &subscribers.NewSubscriber{Email: "gone@example.com", Status: subscribers.StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Erase(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	db.Close()

	file := filepath.Join(t.TempDir(), "readers.csv")
	if err := os.WriteFile(file, []byte("email,name\ngone@example.com,Gone\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m, stdout, stderr := testMain(t, env)
	if code := m.Main(ctx, []string{"import", file, "--list", "news", "--confirmed"}); code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout.String(), "added 0,") {
		t.Errorf("bulletin import --confirmed brought an erased reader back:\n%s", stdout)
	}
}
