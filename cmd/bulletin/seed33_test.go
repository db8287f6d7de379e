package main

import (
	"database/sql"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The sample newspaper is dated as of the day it is seeded, in its files'
// order, so the demo's first digest has its stories: a digest takes the
// articles published in its week, and the files are dated November 2026.
// Seeding again leaves the dates as they are; a seed folder's articles
// keep their files' dates.
func TestSeedDatesTheSampleArticlesThisWeek(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	before := time.Now().UTC()
	if code, stdout, stderr := run(t, env, "", "seed"); code != 0 {
		t.Fatalf("seed: exit %d, %s%s", code, stdout, stderr)
	}
	dates := func(data string) []time.Time {
		t.Helper()
		db, err := sql.Open("sqlite3", "file:"+filepath.Join(data, "bulletin.db")+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		// By id: seed stores the files in their names' order, which is
		// their dates'.
		rows, err := db.Query(`SELECT published_at FROM articles ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []time.Time
		for rows.Next() {
			var at time.Time
			if err := rows.Scan(&at); err != nil {
				t.Fatal(err)
			}
			out = append(out, at)
		}
		return out
	}
	seeded := dates(env["BULLETIN_DATA"])
	if len(seeded) != 12 {
		t.Fatalf("seed stored %d articles, want 12", len(seeded))
	}
	for i, at := range seeded {
		if at.Before(before.Add(-7*24*time.Hour)) || at.After(time.Now()) {
			t.Errorf("article %d is dated %v, not in the week before the seed (%v)", i+1, at, before)
		}
		if i > 0 && !at.After(seeded[i-1]) {
			t.Errorf("article %d is dated %v, not after article %d (%v): the files' order is lost", i+1, at, i, seeded[i-1])
		}
	}

	code, stdout, stderr := run(t, env, "", "digest", "run", "--list", "daily-news")
	if got := regexp.MustCompile(`for daily-news: (\d+) articles`).FindStringSubmatch(stdout); code != 0 || got == nil || got[1] != "9" {
		t.Errorf("the first digest of daily-news: exit %d, %q %q; want its 9 articles", code, stdout, stderr)
	}

	if code, stdout, stderr := run(t, env, "", "seed"); code != 0 {
		t.Fatalf("seed again: exit %d, %s%s", code, stdout, stderr)
	}
	if diff := cmp.Diff(seeded, dates(env["BULLETIN_DATA"])); diff != "" {
		t.Errorf("seeding again changed the dates (-first +again):\n%s", diff)
	}

	folder := map[string]string{"BULLETIN_DATA": t.TempDir()}
	if code, stdout, stderr := run(t, folder, "", "seed", filepath.Join("..", "..", "seeds")); code != 0 {
		t.Fatalf("seed seeds/: exit %d, %s%s", code, stdout, stderr)
	}
	if got, want := dates(folder["BULLETIN_DATA"])[0], time.Date(2026, 11, 10, 7, 15, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("seed of a folder dated its first article %v, want its file's %v", got, want)
	}
}
