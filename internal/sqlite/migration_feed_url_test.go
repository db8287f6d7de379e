package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
)

const migration098 = "migration/098_feed_url_form.sql"

// A database from before 098 gets its feeds' URLs in an article URL's
// form (articles.ArticleURL, which Feeds.Add now stores): scheme and host
// in lower case, no default port. https://Example.com:443/feed.xml and
// https://example.com/feed.xml were two feeds of a list, each polled.
// Nothing is merged: of a list's feeds whose URLs come to one, the one
// that has it already stays and the others keep theirs, or else the
// oldest changes. Another list's feed at the same URL is its own. The
// deleted items a feed remembers by its URL follow it, and those of a
// feed deleted since too (the one seen last kept where two come to one
// key); a feed that kept its URL keeps its rows. The database is the
// newest schema with 098 unrecorded; a second run changes nothing.
func TestFeedURLForm(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	feeds := []struct {
		list      int
		url, want string
	}{
		{1, "https://Harbour.Example/feed.xml", "https://harbour.example/feed.xml"},
		{1, "https://port.example:443/Feed?Key=AbC#Top", "https://port.example/Feed?Key=AbC#Top"},
		{1, "http://Plain.Example:080/rss", "http://plain.example/rss"},
		{1, "https://empty.example:/e", "https://empty.example/e"},
		{1, "https://[FE80::1]:443/v6", "https://[fe80::1]/v6"},
		{1, "https://User:443@Auth.Example:443/u", "https://User:443@auth.example/u"},
		// Left alone: already in the form, or no default port.
		{1, "https://kept.example/feed", "https://kept.example/feed"},
		{1, "https://other.example:8443/o", "https://other.example:8443/o"},
		{1, "https://swap.example:80/s", "https://swap.example:80/s"},
		{1, "https://[fe80::443]/v6", "https://[fe80::443]/v6"},
		{1, "https://path.example/a:443/B", "https://path.example/a:443/B"},
		// One feed three ways, none in the form: the oldest changes.
		{1, "https://Two.example:443/feed.xml", "https://two.example/feed.xml"},
		{1, "https://two.example:443/feed.xml", "https://two.example:443/feed.xml"},
		{1, "https://TWO.example/feed.xml", "https://TWO.example/feed.xml"},
		// In the form already, then another way: neither changes.
		{1, "https://dup.example/feed.xml", "https://dup.example/feed.xml"},
		{1, "https://Dup.example:443/feed.xml", "https://Dup.example:443/feed.xml"},
		// Another list's feed at the same URL is that list's own.
		{2, "https://Two.example:443/feed.xml", "https://two.example/feed.xml"},
		{2, "https://Dup.example:443/feed.xml", "https://dup.example/feed.xml"},
	}
	db := open(t, path)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Write.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`DELETE FROM migrations WHERE name = ?`, migration098)
	exec(`INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'news', 'News', '2026-11-20'), (2, 'sport', 'Sport', '2026-11-20')`)
	for i, f := range feeds {
		exec(`INSERT INTO feeds (id, url, list_id, created_at, items) VALUES (?, ?, ?, '2026-11-20', ?)`, i+1, f.url, f.list, i+1)
	}
	for _, d := range []struct {
		list                        int
		item, feed, link, title, at string
	}{
		// The feed's own rows follow it.
		{1, "1", "https://Harbour.Example/feed.xml", "https://news.example/1", "One", "2026-11-20 10:00:00+00:00"},
		{1, "1", "https://Two.example:443/feed.xml", "https://two.example/1", "Two's", "2026-11-20 10:00:00+00:00"},
		// Those of a feed that kept its URL stay with it.
		{1, "1", "https://two.example:443/feed.xml", "https://two.example/1", "Kept", "2026-11-20 10:00:00+00:00"},
		{1, "1", "https://Dup.example:443/feed.xml", "https://dup.example/1", "Dup kept", "2026-11-20 10:00:00+00:00"},
		// A feed deleted since: its rows take the form its URL is
		// stored in when added again; two that come to one key keep
		// the one seen last.
		{1, "7", "https://Gone.Example:443/feed", "https://gone.example/7", "Older", "2026-11-20 10:00:00+00:00"},
		{1, "7", "https://gone.example/feed", "https://gone.example/7", "Latest", "2026-11-21 10:00:00+00:00"},
		{1, "8", "https://GONE.example/feed", "https://gone.example/8", "Eight", "2026-11-19 10:00:00+00:00"},
		{1, "8", "https://gone.example:0443/feed", "https://gone.example/8", "Eight later", "2026-11-22 10:00:00+00:00"},
		// An article's own URL (no feed's) and another list's rows.
		{1, "https://Story.Example/s", "", "https://Story.Example/s", "Story", "2026-11-20 10:00:00+00:00"},
		{2, "1", "https://Two.example:443/feed.xml", "https://two.example/1", "Sport's", "2026-11-20 10:00:00+00:00"},
	} {
		exec(`INSERT INTO deleted_feed_items (list_id, item_id, feed_url, link, title, seen_at) VALUES (?, ?, ?, ?, ?, ?)`,
			d.list, d.item, d.feed, d.link, d.title, d.at)
	}
	db.Close()

	var wantFeeds []string
	for i, f := range feeds {
		wantFeeds = append(wantFeeds, fmt.Sprintf("%d %d %s %d", i+1, f.list, f.want, i+1))
	}
	wantDeleted := []string{
		"1 1 https://Dup.example:443/feed.xml Dup kept",
		"1 1 https://harbour.example/feed.xml One",
		"1 1 https://two.example/feed.xml Two's",
		"1 1 https://two.example:443/feed.xml Kept",
		"1 7 https://gone.example/feed Latest",
		"1 8 https://gone.example/feed Eight later",
		"1 https://Story.Example/s  Story",
		"2 1 https://two.example/feed.xml Sport's",
	}
	for run := 1; run <= 2; run++ {
		db = open(t, path)
		if diff := cmp.Diff(wantFeeds, column(t, db.Read, `SELECT id || ' ' || list_id || ' ' || url || ' ' || items FROM feeds ORDER BY id`)); diff != "" {
			t.Errorf("run %d: feeds (-want +got):\n%s", run, diff)
		}
		if diff := cmp.Diff(wantDeleted, column(t, db.Read,
			`SELECT list_id || ' ' || item_id || ' ' || feed_url || ' ' || title FROM deleted_feed_items ORDER BY list_id, item_id, feed_url`)); diff != "" {
			t.Errorf("run %d: deleted items (-want +got):\n%s", run, diff)
		}
		// Go and SQL agree: a URL the migration changed is ArticleURL's
		// form of it, and that form is one feed's of the list.
		for _, f := range feeds {
			if f.want != f.url && f.want != articles.ArticleURL(f.url) {
				t.Errorf("migrated %s to %s, but ArticleURL gives %s", f.url, f.want, articles.ArticleURL(f.url))
			}
			var n int
			if err := db.Read.QueryRow(`SELECT COUNT(*) FROM feeds WHERE list_id = ? AND url = ?`, f.list, articles.ArticleURL(f.url)).Scan(&n); err != nil || n != 1 {
				t.Errorf("run %d: %d feeds (%v) of list %d have %q, the form of %s; want 1", run, n, err, f.list, articles.ArticleURL(f.url), f.url)
			}
		}
		if _, err := db.Write.ExecContext(ctx, `DELETE FROM migrations WHERE name = ?`, migration098); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
}
