package articles

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// Migration 098 merged no two feeds: where feeds of one list came to one
// URL in an article URL's form, one took it (the one in that form
// already, or the oldest) and the others kept their URLs, each polled.
// Those are marked DuplicateOf the one, in List, Get and the JSON, and
// WarnDuplicates logs a line for each; feeds alone, or of another list,
// are not.
func TestFeedDuplicates(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'other', 'Other', '2026-01-01'), (2, 'news', 'News', '2026-01-01')`,
		// 1 and 2 come to https://example.com/a, which neither has: 1, the
		// oldest, is the feed. 3 and 4 come to https://news.example/b,
		// which 4 has. 5 is alone; 6 is 1's URL on another list.
		`INSERT INTO feeds (id, url, list_id, created_at) VALUES
			(1, 'https://Example.com/a', 2, '2026-01-01'), (2, 'https://example.com:443/a', 2, '2026-02-01'),
			(3, 'HTTPS://news.example/b', 2, '2026-03-01'), (4, 'https://news.example/b', 2, '2026-04-01'),
			(5, 'https://example.com/c', 2, '2026-05-01'), (6, 'https://example.com/a', 1, '2026-06-01')`,
	} {
		if _, err := db.Write.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var logs bytes.Buffer
	f := NewFeeds(db, NewStore(db), false)
	f.Log = slog.New(slog.NewTextHandler(&logs, nil))

	want := map[int64]struct {
		of  int64
		url string
	}{2: {1, "https://Example.com/a"}, 3: {4, "https://news.example/b"}}
	feeds, _, err := f.List(ctx, 0, 0)
	if err != nil || len(feeds) != 6 {
		t.Fatalf("List = %v, %v", feeds, err)
	}
	for _, fd := range feeds {
		w, dup := want[fd.ID]
		switch {
		case dup && (fd.DuplicateOf == nil || *fd.DuplicateOf != w.of || fd.DuplicateURL != w.url):
			t.Errorf("feed %d (%s): duplicate of %v (%q), want %d (%q)", fd.ID, fd.URL, fd.DuplicateOf, fd.DuplicateURL, w.of, w.url)
		case !dup && (fd.DuplicateOf != nil || fd.DuplicateURL != ""):
			t.Errorf("feed %d (%s), no duplicate, is marked one of %d (%q)", fd.ID, fd.URL, *fd.DuplicateOf, fd.DuplicateURL)
		}
	}
	if fd, err := f.Get(ctx, 2); err != nil || fd.DuplicateOf == nil || *fd.DuplicateOf != 1 {
		t.Errorf("Get(2) = %+v, %v; want a duplicate of 1", fd, err)
	}
	for id, want := range map[int64]string{2: `"duplicate_of":1`, 5: `"duplicate_of":null`} {
		fd, err := f.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(fd)
		if !strings.Contains(string(b), want) || strings.Contains(string(b), "Example.com") {
			t.Errorf("feed %d's JSON lacks %s (or has the other's URL): %s", id, want, b)
		}
	}

	f.WarnDuplicates(ctx)
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	wantLines := []string{
		"list=news feed=2 url=https://example.com:443/a duplicate_of=1 duplicate_of_url=https://Example.com/a",
		"list=news feed=3 url=HTTPS://news.example/b duplicate_of=4 duplicate_of_url=https://news.example/b",
	}
	if len(lines) != len(wantLines) {
		t.Fatalf("WarnDuplicates logged %d lines, want %d:\n%s", len(lines), len(wantLines), logs.String())
	}
	for i, w := range wantLines {
		if !strings.Contains(lines[i], "level=WARN") || !strings.Contains(lines[i], w) {
			t.Errorf("WarnDuplicates line %d = %s, want a warning with %s", i, lines[i], w)
		}
	}

	// Deleted, the duplicate leaves the other alone, and nothing is logged.
	for _, id := range []int64{2, 3} {
		if err := f.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	logs.Reset()
	f.WarnDuplicates(ctx)
	if feeds, _, _ = f.List(ctx, 0, 0); logs.Len() != 0 {
		t.Errorf("WarnDuplicates with no duplicate left logged:\n%s", logs.String())
	}
	for _, fd := range feeds {
		if fd.DuplicateOf != nil {
			t.Errorf("feed %d is still marked a duplicate of %d", fd.ID, *fd.DuplicateOf)
		}
	}
}
