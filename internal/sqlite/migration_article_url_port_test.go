package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

const migration095 = "migration/095_article_url_default_port.sql"

// A database from before 095 gets its articles' URLs without the scheme's
// default port, as articles.ArticleURL stores new ones, and so do the
// feed items and deleted items known by those URLs: a URL with :443
// posted after its article was deleted was stored anew (201) and mailed
// again. Nothing is merged: of articles whose URLs come to one, the one
// that has it already stays, or else the oldest changes; deleted items
// that come to one key keep the one seen last. Guids, other ports, the
// other scheme's default port, ports in the path or the user info and
// fragments stay as they are. The database is the newest schema with
// 095 unrecorded, whatever migrations come before it; a second run
// changes nothing.
func TestArticleURLDefaultPortDropped(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	stored := []struct{ url, want string }{
		{"https://harbourgazette.example:443/1", "https://harbourgazette.example/1"},
		{"http://Plain.Example:80/p?Q=1", "http://plain.example/p?Q=1"},
		{"https://bare.example:443", "https://bare.example"},
		{"https://query.example:443?Q=1", "https://query.example?Q=1"},
		{"https://frag.example:443#Part", "https://frag.example#Part"},
		{"https://zero.example:0443/z", "https://zero.example/z"},
		{"https://empty.example:/e", "https://empty.example/e"},
		{"http://empty.example:", "http://empty.example"},
		{"https://User:443@Auth.Example:443/u", "https://User:443@auth.example/u"},
		{"https://[FE80::1]:443/v6", "https://[fe80::1]/v6"},
		{"https://Mixed.Example:443/Path/To?X=Y#Z", "https://mixed.example/Path/To?X=Y#Z"},
		{"http://Port.Example:080", "http://port.example"},
		{"https://changes.example:443/log#v1.2", "https://changes.example/log#v1.2"},
		{"https://changes.example/log#v1.3", "https://changes.example/log#v1.3"},
		// Left alone: no default port in the authority.
		{"https://user:443@keep.example/u", "https://user:443@keep.example/u"},
		{"https://[fe80::443]/v6", "https://[fe80::443]/v6"},
		{"https://other.example:8443/o", "https://other.example:8443/o"},
		{"https://other.example:4430/o", "https://other.example:4430/o"},
		{"https://swap.example:80/s", "https://swap.example:80/s"},
		{"http://swap.example:443/s", "http://swap.example:443/s"},
		{"https://path.example/a:443/b", "https://path.example/a:443/b"},
		{"https://path.example/a?p=:443", "https://path.example/a?p=:443"},
		{"https://path.example#x:443", "https://path.example#x:443"},
		{"https://Case.Example/only-case", "https://Case.Example/only-case"}, // 066's to fold
		{"ftp://files.example:443/x", "ftp://files.example:443/x"},
		{"https://:443/no-host", "https://:443/no-host"},
		// Stored without the port already, then with it: neither changes.
		{"https://dup.example/a", "https://dup.example/a"},
		{"https://dup.example:443/a", "https://dup.example:443/a"},
		// Three ways with the port, none without: the oldest changes.
		{"https://two.example:443/a", "https://two.example/a"},
		{"https://Two.example:443/a", "https://Two.example:443/a"},
		{"https://two.example:0443/a", "https://two.example:0443/a"},
	}
	db := open(t, path)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Write.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`DELETE FROM migrations WHERE name = ?`, migration095)
	exec(`INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'news', 'News', '2026-11-20'), (2, 'sport', 'Sport', '2026-11-20')`)
	exec(`INSERT INTO feeds (id, url, list_id, created_at) VALUES (1, 'https://feeds.example/news', 1, '2026-11-20'), (2, 'https://feeds.example/more', 1, '2026-11-20')`)
	ids := map[string]int{}
	for i, s := range stored {
		ids[s.url] = i + 1
		title := fmt.Sprint("Story ", i+1)
		search := strings.ToLower(title + "\n" + "A summary\n" + s.url + "\n" + "An Author")
		exec(`INSERT INTO articles (id, url, title, summary, author, search_text, published_at, created_at) VALUES (?, ?, ?, 'A summary', 'An Author', ?, '2026-11-20', '2026-11-20')`,
			i+1, s.url, title, search)
	}
	exec(`INSERT INTO article_lists (article_id, list_id) SELECT id, 1 FROM articles`)
	// Feed items: known by their links (the article's URL, or a deleted
	// item's remembered link), or by guids, which stay.
	seen := "2026-11-20 10:00:00+00:00"
	for _, fi := range []struct {
		feed    int
		item    string
		article any
	}{
		{1, "https://harbourgazette.example:443/1", ids["https://harbourgazette.example:443/1"]},
		{1, "https://guid.example:443/?p=7", ids["https://other.example:8443/o"]},
		{1, "https://gone.example:443/g", nil},
		{1, "https://gone-guid.example:443/?p=9", nil},
		{1, "https://forgotten.example:443/f", nil}, // no deleted row says it is a link
		{2, "https://dup.example/a", ids["https://dup.example/a"]},
		{2, "https://dup.example:443/a", ids["https://dup.example:443/a"]},
		{2, "https://two.example:443/a", ids["https://two.example:443/a"]},
		{2, "https://two.example:0443/a", ids["https://two.example:0443/a"]},
	} {
		exec(`INSERT INTO feed_items (feed_id, item_id, article_id, seen_at) VALUES (?, ?, ?, ?)`, fi.feed, fi.item, fi.article, seen)
	}
	for _, d := range []struct {
		list                        int
		item, feed, link, title, at string
	}{
		{1, "https://deleted.example:443/d", "", "https://deleted.example:443/d", "Deleted", "2026-11-20 10:00:00+00:00"},
		{2, "https://deleted.example:443/d", "", "https://deleted.example:443/d", "Deleted", "2026-11-20 10:00:00+00:00"},
		{1, "https://gone.example:443/g", "https://feeds.example/news", "https://gone.example:443/g", "Gone", "2026-11-20 10:00:00+00:00"},
		{1, "https://gone-guid.example:443/?p=9", "https://feeds.example/news", "https://gone.example:443/other", "Gone too", "2026-11-20 10:00:00+00:00"},
		{1, "7", "https://feeds.example/news", "https://seven.example:443/7", "Seven", "2026-11-20 10:00:00+00:00"},
		{1, "https://edited.example:443/e", "https://feeds.example/news", "", "", "2026-11-20 10:00:00+00:00"},
		// Come to one key: the one seen last stays, with what it knows.
		{1, "https://coll.example:443/c", "", "https://coll.example:443/c", "Older", "2026-11-20 10:00:00+00:00"},
		{1, "https://coll.example/c", "", "https://coll.example/c", "Latest", "2026-11-21 10:00:00+00:00"},
		{1, "https://coll.example:0443/c", "", "https://coll.example:0443/c", "Oldest", "2026-11-19 10:00:00+00:00"},
		{1, "https://late.example/l", "", "https://late.example/l", "Early", "2026-11-19 10:00:00+00:00"},
		{1, "https://late.example:443/l", "", "https://late.example:443/l", "Late", "2026-11-22 10:00:00.5+00:00"},
		{1, "https://late.example:/l", "", "https://late.example:/l", "Mid", "2026-11-22 10:00:00+00:00"},
	} {
		exec(`INSERT INTO deleted_feed_items (list_id, item_id, feed_url, link, title, seen_at) VALUES (?, ?, ?, ?, ?, ?)`,
			d.list, d.item, d.feed, d.link, d.title, d.at)
	}
	db.Close()

	var wantArticles, wantSearch []string
	for i, s := range stored {
		wantArticles = append(wantArticles, fmt.Sprintf("%d %s", i+1, s.want))
		wantSearch = append(wantSearch, strings.ToLower(fmt.Sprint("Story ", i+1)+"\n"+"A summary\n"+s.want+"\n"+"An Author"))
	}
	wantFeedItems := []string{
		"1 https://forgotten.example:443/f -",
		"1 https://gone-guid.example:443/?p=9 -",
		"1 https://gone.example/g -",
		"1 https://guid.example:443/?p=7 17",
		"1 https://harbourgazette.example/1 1",
		"2 https://dup.example/a 27",
		"2 https://dup.example:443/a 28",
		"2 https://two.example/a 29",
		"2 https://two.example:0443/a 31",
	}
	wantDeleted := []string{
		"1 7 https://feeds.example/news https://seven.example/7 Seven 2026-11-20 10:00:00+00:00",
		"1 https://coll.example/c  https://coll.example/c Latest 2026-11-21 10:00:00+00:00",
		"1 https://deleted.example/d  https://deleted.example/d Deleted 2026-11-20 10:00:00+00:00",
		"1 https://edited.example:443/e https://feeds.example/news   2026-11-20 10:00:00+00:00",
		"1 https://gone-guid.example:443/?p=9 https://feeds.example/news https://gone.example/other Gone too 2026-11-20 10:00:00+00:00",
		"1 https://gone.example/g https://feeds.example/news https://gone.example/g Gone 2026-11-20 10:00:00+00:00",
		"1 https://late.example/l  https://late.example/l Late 2026-11-22 10:00:00.5+00:00",
		"2 https://deleted.example/d  https://deleted.example/d Deleted 2026-11-20 10:00:00+00:00",
	}
	for run := 1; run <= 2; run++ {
		db = open(t, path)
		if diff := cmp.Diff(wantArticles, column(t, db.Read, `SELECT id || ' ' || url FROM articles ORDER BY id`)); diff != "" {
			t.Errorf("run %d: articles (-want +got):\n%s", run, diff)
		}
		if diff := cmp.Diff(wantSearch, column(t, db.Read, `SELECT search_text FROM articles ORDER BY id`)); diff != "" {
			t.Errorf("run %d: search text (-want +got):\n%s", run, diff)
		}
		if got := column(t, db.Read, `SELECT COUNT(*) FROM article_lists`); got[0] != fmt.Sprint(len(stored)) {
			t.Errorf("run %d: %s article links, want %d", run, got[0], len(stored))
		}
		if diff := cmp.Diff(wantFeedItems, column(t, db.Read,
			`SELECT feed_id || ' ' || item_id || ' ' || coalesce(article_id, '-') FROM feed_items ORDER BY feed_id, item_id`)); diff != "" {
			t.Errorf("run %d: feed items (-want +got):\n%s", run, diff)
		}
		if diff := cmp.Diff(wantDeleted, column(t, db.Read,
			`SELECT list_id || ' ' || item_id || ' ' || feed_url || ' ' || link || ' ' || title || ' ' || seen_at FROM deleted_feed_items ORDER BY list_id, item_id`)); diff != "" {
			t.Errorf("run %d: deleted items (-want +got):\n%s", run, diff)
		}
		// Go and SQL agree: a URL the migration changed is ArticleURL's
		// form of it, and each stored URL in that form is one article's.
		for _, s := range stored {
			if s.want != s.url && s.want != articles.ArticleURL(s.url) {
				t.Errorf("migrated %s to %s, but ArticleURL gives %s", s.url, s.want, articles.ArticleURL(s.url))
			}
			if articles.ArticleURL(s.url) == articles.NormalizeURL(s.url) && s.url != articles.NormalizeURL(s.url) {
				continue // only its case differs: 066's to fold
			}
			var n int
			if err := db.Read.QueryRow(`SELECT COUNT(*) FROM articles WHERE url = ?`, articles.ArticleURL(s.url)).Scan(&n); err != nil || n != 1 {
				t.Errorf("run %d: %d articles (%v) have %q, the form of %s; want 1", run, n, err, articles.ArticleURL(s.url), s.url)
			}
		}
		if _, err := db.Write.ExecContext(ctx, `DELETE FROM migrations WHERE name = ?`, migration095); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	db = open(t, path)
	defer db.Close()
	checkDeletedPortRefused(t, db)
}

// checkDeletedPortRefused: after the migration, a post of a deleted
// article's URL, with or without its port, is refused (the tester's
// case), and one of a stored article's URL with the port finds it.
func checkDeletedPortRefused(t *testing.T, db *sqlite.DB) {
	t.Helper()
	ctx := context.Background()
	store := articles.NewStore(db)
	title, lists := "Back again", []string{"news"}
	for _, u := range []string{"https://deleted.example/d", "https://deleted.example:443/d", "https://Deleted.Example:0443/d"} {
		u := u
		a, created, err := store.Put(ctx, &articles.Patch{Title: &title, URL: &u, Lists: &lists})
		if bulletin.ErrorCode(err) != bulletin.ECONFLICT || created {
			t.Errorf("Put %s after the migration = %+v (created %v), %v; want a conflict", u, a, created, err)
		}
	}
	u := "https://harbourgazette.example:443/1"
	if a, created, err := store.Put(ctx, &articles.Patch{URL: &u}); err != nil || created || a.ID != 1 {
		t.Errorf("Put %s after the migration = %+v (created %v), %v; want article 1", u, a, created, err)
	}
}
