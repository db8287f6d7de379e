package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/subscribers"
)

// openStore opens the subscribers of the data folder as serve does, its
// erasures keyed by DATA/secret, and closes them when t ends.
func openStore(t *testing.T, data string) *subscribers.Store {
	t.Helper()
	secret, err := os.ReadFile(filepath.Join(data, "secret"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(data, "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := subscribers.NewStore(db)
	store.SetSecret([]byte(strings.TrimSpace(string(secret))))
	return store
}

// An erased reader stays erased: "seed" run again after an erasure (an
// admin's, at the reader's request) does not bring the address back, as
// it did, confirmed on its lists. It says it skipped them.
func TestSeedNeverBringsBackAnErasedReader(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	// The secret serve generates on its first run, which keys the
	// erasures of DELETE /api/v1/subscribers/ID.
	secret := "4f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7\n"
	if err := os.WriteFile(filepath.Join(env["BULLETIN_DATA"], "secret"), []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := run(t, env, "", "seed"); code != 0 || !strings.Contains(stdout, "20 subscribers added") {
		t.Fatalf("seed: exit %d, %s%s", code, stdout, stderr)
	}
	ctx := context.Background()
	store := openStore(t, env["BULLETIN_DATA"])
	found, _, err := store.List(ctx, subscribers.Filter{Q: "ada.fisher@example.com", Limit: 10})
	if err != nil || len(found) != 1 {
		t.Fatalf("seeded reader: %v, %v", found, err)
	}
	if err := store.Erase(ctx, found[0].ID); err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := run(t, env, "", "seed")
	if code != 0 || !strings.Contains(stdout, "0 subscribers added") || !strings.Contains(stdout, "1 erased reader skipped") {
		t.Errorf("seed after an erasure: exit %d, stdout %q, stderr %q; want nothing added and the erased reader skipped", code, stdout, stderr)
	}
	// What was there already is counted by kind, not as one sum of lists,
	// articles and readers.
	if kept := regexp.MustCompile(`there already, and left as they are: \d+ lists, \d+ articles and 19 subscribers;`); !kept.MatchString(stdout) {
		t.Errorf("seed run again: stdout %q; want what it kept named kind by kind, matching %s", stdout, kept)
	}
	if found, _, err := store.List(ctx, subscribers.Filter{Q: "ada.fisher@example.com", Limit: 10}); err != nil || len(found) != 0 {
		t.Errorf("after seed, the erased address is back: %+v, %v", found, err)
	}
}

// A seed folder's mistakes are bad usage (exit 2), each said in one line
// naming the file, the line or entry, the field and what to put there; a
// seed file was stored unchecked ("bad-address" as a confirmed reader)
// or refused with "Some fields need fixing." alone.
func TestSeedFolderMistakesNameFileLineAndField(t *testing.T) {
	const lists = `[{"slug":"news","name":"News","digest":"daily","digest_hour":7}]`
	const header = "email,name,lists,status\n"
	for _, tc := range []struct {
		name, lists, subscribers string
		want                     []string
	}{
		{"bad address", lists, header + "ok@example.com,Ok,news,confirmed\nbad-address,A,news,confirmed\n",
			[]string{"subscribers.csv line 3", `email "bad-address"`, "name@example.com"}},
		{"display name", lists, header + `"Eve <eve@example.com>",Eve,news,confirmed` + "\n",
			[]string{"subscribers.csv line 2", "email"}},
		{"control character in a name", lists, header + "a@example.com,\"A\x07\",news,confirmed\n",
			[]string{"subscribers.csv line 2", "name", "control characters"}},
		{"unknown status", lists, header + "a@example.com,A,news,subscribed\n",
			[]string{"subscribers.csv line 2", `status "subscribed"`, "pending, confirmed"}},
		{"unknown list", lists, header + "a@example.com,A,nope,confirmed\n",
			[]string{"subscribers.csv line 2", `list "nope"`}},
		{"list without a name", `[{"slug":"news","name":"","digest":"daily"}]`, header,
			[]string{"lists.json", `list 1 ("news")`, "name: give a name of 1–100 characters"}},
		{"two bad fields", `[{"slug":"ok","name":"Ok"},{"slug":"Bad Slug","name":"B","digest":"hourly"}]`, header,
			[]string{"lists.json", `list 2 ("Bad Slug")`, "digest: ", "slug: use 1–64 lower-case letters"}},
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "lists.json"), []byte(tc.lists), 0o644)
		os.WriteFile(filepath.Join(dir, "subscribers.csv"), []byte(tc.subscribers), 0o644)
		env := map[string]string{"BULLETIN_DATA": t.TempDir()}
		code, stdout, stderr := run(t, env, "", "seed", dir)
		if code != 2 || strings.Count(stderr, "\n") != 1 || strings.Contains(stderr, "Some fields need fixing") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and one line", tc.name, code, stdout, stderr)
			continue
		}
		for _, want := range tc.want {
			if !strings.Contains(stderr, want) {
				t.Errorf("%s: stderr %q lacks %q", tc.name, stderr, want)
			}
		}
		if !strings.Contains(stderr, dir) {
			t.Errorf("%s: stderr %q does not name the folder %s", tc.name, stderr, dir)
		}
	}
}

// Addresses of a seed file are stored as a signup stores them: trimmed,
// the domain lower-cased.
func TestSeedStoresAddressesAsSignupDoes(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "lists.json"), []byte(`[{"slug":"news","name":"News"}]`), 0o644)
	os.WriteFile(filepath.Join(dir, "subscribers.csv"), []byte("email,name,lists,status\n  Ada.Fisher@Example.COM ,Ada,news,confirmed\n"), 0o644)
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	if code, stdout, stderr := run(t, env, "", "seed", dir); code != 0 || !strings.Contains(stdout, "1 subscriber added") {
		t.Fatalf("seed: exit %d, %s%s", code, stdout, stderr)
	}
	found, _, err := openStore(t, env["BULLETIN_DATA"]).List(context.Background(), subscribers.Filter{Limit: 10})
	if err != nil || len(found) != 1 || found[0].Email != "Ada.Fisher@example.com" {
		t.Errorf("stored %+v, %v; want Ada.Fisher@example.com", found, err)
	}
}
