package articles_test

import (
	"context"
	"database/sql"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A feedItem is one item of a feed a test serves; id "" is an item
// without a guid.
type feedItem struct{ id, link, title string }

// rssOf is an RSS 2.0 feed of items, published an hour ago.
func rssOf(items ...feedItem) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Gazette</title><link>https://news.example/</link>`)
	date := time.Now().Add(-time.Hour).UTC().Format(time.RFC1123Z)
	for _, it := range items {
		b.WriteString(`<item><title>` + html.EscapeString(it.title) + `</title><link>` + html.EscapeString(it.link) + `</link>`)
		if it.id != "" {
			b.WriteString(`<guid isPermaLink="false">` + html.EscapeString(it.id) + `</guid>`)
		}
		b.WriteString(`<pubDate>` + date + `</pubDate></item>`)
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

// atomOf is an Atom feed of items, published an hour ago; an item without
// an id (which Atom requires) gets none.
func atomOf(items ...feedItem) string {
	var b strings.Builder
	date := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Harbour Gazette</title>` +
		`<id>tag:news.example,2026:feed</id><updated>` + date + `</updated>`)
	for _, it := range items {
		b.WriteString(`<entry><title>` + html.EscapeString(it.title) + `</title><link href="` + html.EscapeString(it.link) + `"/>`)
		if it.id != "" {
			b.WriteString(`<id>` + html.EscapeString(it.id) + `</id>`)
		}
		b.WriteString(`<updated>` + date + `</updated></entry>`)
	}
	b.WriteString(`</feed>`)
	return b.String()
}

// liveFeed serves on 127.0.0.1 the body last set, in full at every
// request (no ETag), as a feed that changes between polls.
func liveFeed(t *testing.T, body string) (*httptest.Server, func(string)) {
	t.Helper()
	var current atomic.Pointer[string]
	current.Store(&body)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.Write([]byte(*current.Load()))
	}))
	t.Cleanup(srv.Close)
	return srv, func(b string) { current.Store(&b) }
}

// pollAgain polls feed id now and returns what it added, failing t on a
// poll that failed.
// migrateAgain runs stmts on db, the database at path (to undo a
// migration and store what an older version did), closes it and opens
// it again, which runs the migrations not recorded as run.
func migrateAgain(t *testing.T, db *sqlite.DB, path string, stmts ...string) *sqlite.DB {
	t.Helper()
	ctx := context.Background()
	for _, q := range stmts {
		if _, err := db.Write.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// addFeed adds the feed at url to the list news, which polls it at once,
// and checks that the poll worked and added want articles (any number
// for a negative want).
func addFeed(t *testing.T, feeds *articles.Feeds, url string, want int) *articles.Feed {
	t.Helper()
	fd, _, err := feeds.Add(context.Background(), url, "news", nil)
	if err != nil {
		t.Fatal(err)
	}
	if want >= 0 && (fd.Added != want || fd.LastError != "") {
		t.Fatalf("first poll: %d added, error %q; want %d", fd.Added, fd.LastError, want)
	}
	return fd
}

func pollAgain(t *testing.T, feeds *articles.Feeds, id int64) int {
	t.Helper()
	ctx := context.Background()
	fd, err := feeds.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	added, err := feeds.Poll(ctx, fd)
	if err != nil {
		t.Fatalf("poll: %v", err)
	}
	if fd, _ = feeds.Get(ctx, id); fd.LastError != "" {
		t.Fatalf("poll failed: %s", fd.LastError)
	}
	return added
}

// stored is every article as "title <url>", by id.
func stored(t *testing.T, db *sql.DB) []string {
	t.Helper()
	return texts(t, db, `SELECT title || ' <' || url || '>' FROM articles ORDER BY id`)
}

// digestLinks is every link of an article to a list with its number,
// which a digest compares with its mark: a new number is news to it.
func digestLinks(t *testing.T, db *sql.DB) []string {
	t.Helper()
	return texts(t, db, `SELECT article_id || ' ' || list_id || ' ' || seq FROM article_lists ORDER BY article_id, list_id`)
}

// texts is the one text column of q's rows.
func texts(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	out, err := sqlite.Column[string](db.Query(q))
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// An item the feed polled again with a new link (a fixed slug, tracking
// parameters) is the article it was, by its RSS guid or Atom id: its
// link follows the feed, and no digest takes it as new again. Each poll
// used to store it as a new article, mailed again. An article an editor
// changed keeps the editor's link and title; items sharing one guid are
// still apart, known by their links. (A new title with the new link is
// another story under the guid: TestFeedGUIDReusedForAnotherStory.)
func TestFeedItemKeepsItsArticleWhenItsLinkChanges(t *testing.T) {
	for name, format := range map[string]func(...feedItem) string{"rss": rssOf, "atom": atomOf} {
		t.Run(name, func(t *testing.T) {
			db, store := newFeedEnv(t)
			ctx := context.Background()
			srv, serve := liveFeed(t, format(
				feedItem{"tag:news.example,2026:bridge", "https://news.example/2026/brigde-reopens", "Brigde reopens"},
				feedItem{"tag:news.example,2026:storm", "https://news.example/2026/storm", "Storm warnng"},
				feedItem{"1", "https://news.example/2026/ferry", "Ferry timetable"},
				feedItem{"1", "https://news.example/2026/gulls", "Gulls return"},
			))
			feeds := articles.NewFeeds(db, store, true) // the test server is on loopback
			fd := addFeed(t, feeds, srv.URL+"/feed", 4)
			storm := articleAt(t, db.Read, "https://news.example/2026/storm")
			title := "Storm warning"
			if _, err := store.Update(ctx, storm, &articles.Patch{Title: &title}); err != nil {
				t.Fatal(err)
			}
			links := digestLinks(t, db.Read)

			serve(format(
				feedItem{"tag:news.example,2026:bridge", "https://news.example/2026/bridge-reopens?utm_source=feed", "Brigde reopens"},
				feedItem{"tag:news.example,2026:storm", "https://news.example/2026/storm-warning", "Storm warnng"},
				feedItem{"1", "https://news.example/2026/ferry", "Ferry timetable"},
				feedItem{"1", "https://news.example/2026/gulls", "Gulls return"},
			))
			if added := pollAgain(t, feeds, fd.ID); added != 0 {
				t.Errorf("second poll added %d articles, want 0", added)
			}
			want := []string{
				"Brigde reopens <https://news.example/2026/bridge-reopens?utm_source=feed>",
				"Storm warning <https://news.example/2026/storm>",
				"Ferry timetable <https://news.example/2026/ferry>",
				"Gulls return <https://news.example/2026/gulls>",
			}
			if diff := cmp.Diff(want, stored(t, db.Read)); diff != "" {
				t.Errorf("articles after the links changed (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(links, digestLinks(t, db.Read)); diff != "" {
				t.Errorf("links to lists, which digests take, after the links changed (-want +got):\n%s", diff)
			}
		})
	}
}

// An item whose new link is another article's (its title kept, so it is
// the same item) keeps its own article and link, and the poll does not
// fail: it used to take the other article over, writing its own title
// on it.
func TestFeedItemMovedToAnotherArticlesLink(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	other := &articles.Article{URL: "https://news.example/2026/harbour", Title: "Harbour dues rise", Lists: []string{"news"}}
	if _, err := store.Save(ctx, other); err != nil {
		t.Fatal(err)
	}
	srv, serve := liveFeed(t, rssOf(feedItem{"42", "https://news.example/2026/dues", "Dues rise"}))
	feeds := articles.NewFeeds(db, store, true)
	fd := addFeed(t, feeds, srv.URL+"/feed", -1)
	serve(rssOf(feedItem{"42", "https://news.example/2026/harbour", "Dues rise"}))
	if added := pollAgain(t, feeds, fd.ID); added != 0 {
		t.Errorf("second poll added %d articles, want 0", added)
	}
	want := []string{"Harbour dues rise <https://news.example/2026/harbour>", "Dues rise <https://news.example/2026/dues>"}
	if diff := cmp.Diff(want, stored(t, db.Read)); diff != "" {
		t.Errorf("articles (-want +got):\n%s", diff)
	}
}

// An article an admin deleted stays deleted while its item is still in
// the feed, with a guid or without: each poll used to store it again, and
// the next digest mailed it. Deleting the feed does not forget them: the
// same feed added again does not bring them back either
// (TestDeletedArticleStaysDeletedForItsList).
func TestFeedDoesNotBringBackADeletedArticle(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	srv, _ := liveFeed(t, rssOf(
		feedItem{"tag:news.example,2026:bridge", "https://news.example/2026/bridge", "Bridge reopens"},
		feedItem{"", "https://news.example/2026/storm", "Storm warning"},
		feedItem{"tag:news.example,2026:ferry", "https://news.example/2026/ferry", "Ferry timetable"},
	))
	feeds := articles.NewFeeds(db, store, true)
	fd := addFeed(t, feeds, srv.URL+"/feed", -1)
	for _, u := range []string{"https://news.example/2026/bridge", "https://news.example/2026/storm"} {
		if err := store.Delete(ctx, articleAt(t, db.Read, u)); err != nil {
			t.Fatal(err)
		}
	}
	links := digestLinks(t, db.Read)
	if added := pollAgain(t, feeds, fd.ID); added != 0 {
		t.Errorf("poll after the delete added %d articles, want 0", added)
	}
	if diff := cmp.Diff([]string{"Ferry timetable <https://news.example/2026/ferry>"}, stored(t, db.Read)); diff != "" {
		t.Errorf("articles after the poll (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(links, digestLinks(t, db.Read)); diff != "" {
		t.Errorf("links to lists after the poll (-want +got):\n%s", diff)
	}

	if err := feeds.Delete(ctx, fd.ID); err != nil {
		t.Fatal(err)
	}
	addFeed(t, feeds, srv.URL+"/feed", 0)
}

// Articles stored before items were known by their guids (migration 067)
// are their feed's items by their links: an item polled first after the
// upgrade is the article with its link, and is known by its guid from
// then on; one deleted after the upgrade, before any poll, stays deleted.
func TestFeedItemsStoredBeforeGUIDsWereKept(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	srv, serve := liveFeed(t, rssOf(
		feedItem{"tag:news.example,2026:bridge", "https://news.example/2026/bridge", "Bridge reopens"},
		feedItem{"tag:news.example,2026:storm", "https://news.example/2026/storm", "Storm warning"},
	))
	now := time.Now().UTC()
	db = migrateAgain(t, db, path,
		`DROP TABLE feed_items`,
		`DELETE FROM migrations WHERE name IN ('migration/067_feed_items.sql', 'migration/071_feed_items_seen.sql',
			'migration/075_feed_items_undated_seen.sql')`,
		`INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'news', 'News', '2026-01-01'), (2, 'desk', 'Desk', '2026-01-01')`,
		fmt.Sprintf(`INSERT INTO feeds (id, url, list_id, last_polled_at, last_status, items, created_at)
			VALUES (7, '%s/feed', 1, '%s', '200 OK', 2, '2026-01-01')`, srv.URL, now.Add(-time.Hour).Format(time.RFC3339)),
		fmt.Sprintf(`INSERT INTO articles (id, url, title, published_at, created_at) VALUES
			(1, 'https://news.example/2026/bridge', 'Bridge reopens', '%[1]s', '%[1]s'),
			(2, 'https://news.example/2026/storm', 'Storm warning', '%[1]s', '%[1]s'),
			(3, 'https://desk.example/note', 'A note', '%[1]s', '%[1]s')`, now.Add(-2*time.Hour).Format(time.RFC3339)),
		`INSERT INTO article_lists (article_id, list_id) VALUES (1, 1), (2, 1), (3, 2)`,
	)
	defer db.Close()
	items := texts(t, db.Read, `SELECT feed_id || ' ' || item_id || ' ' || article_id FROM feed_items ORDER BY item_id`)
	want := []string{"7 https://news.example/2026/bridge 1", "7 https://news.example/2026/storm 2"}
	if diff := cmp.Diff(want, items); diff != "" {
		t.Errorf("feed items after the migration (-want +got):\n%s", diff)
	}

	store := articles.NewStore(db)
	feeds := articles.NewFeeds(db, store, true)
	if err := store.Delete(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if added := pollAgain(t, feeds, 7); added != 0 {
		t.Errorf("first poll after the upgrade added %d articles, want 0", added)
	}
	serve(rssOf(feedItem{"tag:news.example,2026:bridge", "https://news.example/2026/bridge-reopens", "Bridge reopens"},
		feedItem{"tag:news.example,2026:storm", "https://news.example/2026/storm", "Storm warning"}))
	if added := pollAgain(t, feeds, 7); added != 0 {
		t.Errorf("poll with a new link added %d articles, want 0", added)
	}
	want = []string{"Bridge reopens <https://news.example/2026/bridge-reopens>", "A note <https://desk.example/note>"}
	if diff := cmp.Diff(want, stored(t, db.Read)); diff != "" {
		t.Errorf("articles (-want +got):\n%s", diff)
	}
}

// articleAt is the id of the article stored at url.
func articleAt(t *testing.T, db *sql.DB, url string) int64 {
	t.Helper()
	var id int64
	if err := db.QueryRow(`SELECT id FROM articles WHERE url = ?`, url).Scan(&id); err != nil {
		t.Fatalf("article at %s: %v", url, err)
	}
	return id
}
