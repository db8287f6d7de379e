package articles_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// An article an editor took off a list stays off it: its feed's next full
// read, another feed of the list and the seeds leave it off, and no digest
// of the list takes it as news again. They used to put it back, as a new
// link, which the list's next digest mailed. It is off that list only: a
// feed of another list adds it there, as it adds any article; an article
// the editor took off a list only after a feed of that list added it is
// left there by the feed's next read. A new article comes in as before,
// and the editor can put the article back.
func TestFeedLeavesAnArticleOffAListItsEditorTookItOff(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	if _, err := db.Write.Exec(`INSERT INTO lists (slug, name, created_at) VALUES ('desk', 'Desk', ?)`, time.Now()); err != nil {
		t.Fatal(err)
	}
	items := []feedItem{
		{"tag:news.example,2026:bridge", "https://news.example/2026/bridge", "Bridge reopens"},
		{"", "https://news.example/2026/storm", "Storm warning"},
		{"tag:news.example,2026:ferry", "https://news.example/2026/ferry", "Ferry timetable"},
	}
	srv, serve := liveFeed(t, rssOf(items...))  // every path, in full at every read
	feeds := articles.NewFeeds(db, store, true) // the test server is on loopback
	news := addFeed(t, feeds, srv.URL+"/news", 3)
	bridge := articleAt(t, db.Read, "https://news.example/2026/bridge")
	storm := articleAt(t, db.Read, "https://news.example/2026/storm")
	setLists(t, store, bridge) // the admin's form, nothing ticked
	links := digestLinks(t, db.Read)

	if added := pollAgain(t, feeds, news.ID); added != 0 {
		t.Errorf("the feed's next read added %d articles, want 0", added)
	}
	addFeed(t, feeds, srv.URL+"/news/harbour", 0) // another feed of the list
	if _, err := store.Save(ctx, &articles.Article{URL: "https://news.example/2026/bridge", Title: "Bridge reopens", Lists: []string{"news"}}); err != nil {
		t.Fatal(err) // the seeds
	}
	if diff := cmp.Diff(links, digestLinks(t, db.Read)); diff != "" {
		t.Errorf("links to lists, which digests take as news, after the reads (-want +got):\n%s", diff)
	}

	if _, _, err := feeds.Add(ctx, srv.URL+"/desk", "desk", nil); err != nil {
		t.Fatal(err)
	}
	setLists(t, store, storm, "news") // off the desk, after its feed added it
	desk := feedOf(t, db.Read, srv.URL+"/desk")
	links = digestLinks(t, db.Read)
	if added := pollAgain(t, feeds, desk); added != 0 {
		t.Errorf("the desk feed's next read added %d articles, want 0", added)
	}
	pollAgain(t, feeds, news.ID)
	if diff := cmp.Diff(links, digestLinks(t, db.Read)); diff != "" {
		t.Errorf("links to lists after the desk's reads (-want +got):\n%s", diff)
	}
	want := map[string]string{"bridge": "desk", "storm": "news", "ferry": "desk,news"}
	if diff := cmp.Diff(want, listsByName(t, db.Read)); diff != "" {
		t.Errorf("the articles' lists (-want +got):\n%s", diff)
	}

	serve(rssOf(append(items, feedItem{"tag:news.example,2026:gulls", "https://news.example/2026/gulls", "Gulls return"})...))
	if added := pollAgain(t, feeds, news.ID); added != 1 {
		t.Errorf("a read with a new item added %d articles, want 1", added)
	}
	setLists(t, store, bridge, "desk", "news") // put back
	pollAgain(t, feeds, news.ID)
	setLists(t, store, bridge, "desk") // and off again
	pollAgain(t, feeds, news.ID)
	pollAgain(t, feeds, desk)
	want = map[string]string{"bridge": "desk", "storm": "news", "ferry": "desk,news", "gulls": "desk,news"}
	if diff := cmp.Diff(want, listsByName(t, db.Read)); diff != "" {
		t.Errorf("the articles' lists at the end (-want +got):\n%s", diff)
	}
}

// An article taken off a list before migration 074 stays off it: its
// feed, which had not read it since (it answered 304, or was paused), does
// not put it back at its next read.
func TestArticleTakenOffAListBeforeTheUpgradeStaysOff(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.Exec(`INSERT INTO lists (slug, name, created_at) VALUES ('news', 'News', ?), ('desk', 'Desk', ?)`, time.Now(), time.Now()); err != nil {
		t.Fatal(err)
	}
	srv, _ := liveFeed(t, rssOf(
		feedItem{"tag:news.example,2026:bridge", "https://news.example/2026/bridge", "Bridge reopens"},
		feedItem{"", "https://news.example/2026/storm", "Storm warning"},
		feedItem{"tag:news.example,2026:ferry", "https://news.example/2026/ferry", "Ferry timetable"},
	))
	store := articles.NewStore(db)
	fd := addFeed(t, articles.NewFeeds(db, store, true), srv.URL+"/news", 3)
	setLists(t, store, articleAt(t, db.Read, "https://news.example/2026/bridge"), "desk")
	setLists(t, store, articleAt(t, db.Read, "https://news.example/2026/storm"), "news", "desk")
	db = migrateAgain(t, db, path,
		`DROP TABLE IF EXISTS article_list_removals`,
		`DELETE FROM migrations WHERE name = 'migration/074_article_list_removals.sql'`)
	defer db.Close()

	links := digestLinks(t, db.Read)
	store = articles.NewStore(db)
	if added := pollAgain(t, articles.NewFeeds(db, store, true), fd.ID); added != 0 {
		t.Errorf("the read after the upgrade added %d articles, want 0", added)
	}
	if diff := cmp.Diff(links, digestLinks(t, db.Read)); diff != "" {
		t.Errorf("links to lists after the read (-want +got):\n%s", diff)
	}
}

// setLists sets the lists of article id, as the admin's form does, and
// fails t on an error.
func setLists(t *testing.T, store *articles.Store, id int64, lists ...string) {
	t.Helper()
	lists = append([]string{}, lists...)
	if _, err := store.Update(context.Background(), id, &articles.Patch{Lists: &lists}); err != nil {
		t.Fatal(err)
	}
}

// feedOf is the id of the feed at url.
func feedOf(t *testing.T, db *sql.DB, url string) int64 {
	t.Helper()
	var id int64
	if err := db.QueryRow(`SELECT id FROM feeds WHERE url = ?`, url).Scan(&id); err != nil {
		t.Fatalf("feed at %s: %v", url, err)
	}
	return id
}

// listsByName is the lists of each article, by the last part of its URL,
// as slugs joined by commas in order.
func listsByName(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	rows := texts(t, db, `SELECT a.url || ' ' || COALESCE((SELECT group_concat(l.slug, ',' ORDER BY l.slug)
		FROM article_lists al JOIN lists l ON l.id = al.list_id WHERE al.article_id = a.id), '') FROM articles a`)
	out := map[string]string{}
	for _, r := range rows {
		url, lists, _ := strings.Cut(r, " ")
		out[url[strings.LastIndexByte(url, '/')+1:]] = lists
	}
	return out
}

// An article whose link an editor fixed is still the item a feed that
// first reads it later gives: a feed of another list adds it to that list,
// and another feed of its list leaves it, whether the item has a guid or
// not; neither stores the item again under its old link and title. They
// used to, and the second article was mailed.
func TestFeedFindsTheArticleWhoseLinkAnEditorFixed(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	if _, err := db.Write.Exec(`INSERT INTO lists (slug, name, created_at) VALUES ('desk', 'Desk', ?)`, time.Now()); err != nil {
		t.Fatal(err)
	}
	srv, _ := liveFeed(t, rssOf(
		feedItem{"tag:news.example,2026:bridge", "https://news.example/2026/brigde", "Brigde reopens"},
		feedItem{"", "https://news.example/2026/strom", "Strom warning"},
	))
	feeds := articles.NewFeeds(db, store, true) // the test server is on loopback
	news := addFeed(t, feeds, srv.URL+"/news", 2)
	for _, fix := range []struct{ from, url, title string }{
		{"https://news.example/2026/brigde", "https://news.example/2026/bridge", "Bridge reopens"},
		{"https://news.example/2026/strom", "https://news.example/2026/storm", "Storm warning"},
	} {
		if _, err := store.Update(ctx, articleAt(t, db.Read, fix.from), &articles.Patch{URL: &fix.url, Title: &fix.title}); err != nil {
			t.Fatal(err)
		}
	}

	fd, _, err := feeds.Add(ctx, srv.URL+"/desk", "desk", nil)
	if err != nil {
		t.Fatal(err)
	}
	// Added counts the articles the poll put on the desk: both, though
	// neither is new.
	if fd.Added != 2 || fd.LastError != "" {
		t.Errorf("the desk's feed put %d articles on its list (error %q), want the 2 fixed ones", fd.Added, fd.LastError)
	}
	links := digestLinks(t, db.Read)
	addFeed(t, feeds, srv.URL+"/news/harbour", 0) // another feed of the list
	pollAgain(t, feeds, news.ID)
	if diff := cmp.Diff(links, digestLinks(t, db.Read)); diff != "" {
		t.Errorf("links to lists after the news feeds' reads (-want +got):\n%s", diff)
	}
	want := []string{"Bridge reopens <https://news.example/2026/bridge>", "Storm warning <https://news.example/2026/storm>"}
	if diff := cmp.Diff(want, stored(t, db.Read)); diff != "" {
		t.Errorf("articles (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"bridge": "desk,news", "storm": "desk,news"}, listsByName(t, db.Read)); diff != "" {
		t.Errorf("the articles' lists (-want +got):\n%s", diff)
	}
}

// A CMS posts an article again at every save (the API's POST, Put),
// naming the lists it always names: that no longer puts the article back
// on a list an editor took it off, where it used to, as a new link the
// list's next digest mailed. A list the post names that the editor never
// took it off is added as before, and the editor's change of its lists
// (Update: the admin's form, the API's PATCH) puts it back.
func TestPostAgainLeavesAnArticleOffAListItsEditorTookItOff(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	for _, slug := range []string{"desk", "sport"} {
		if _, err := db.Write.Exec(`INSERT INTO lists (slug, name, created_at) VALUES (?, ?, ?)`, slug, slug, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	post := func(lists ...string) *articles.Article {
		t.Helper()
		title, url := "Bridge reopens", "HTTPS://News.Example/2026/bridge"
		a, _, err := store.Put(ctx, &articles.Patch{Title: &title, URL: &url, Lists: &lists})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	bridge := post("news", "desk").ID
	setLists(t, store, bridge, "desk") // off the news
	links := digestLinks(t, db.Read)
	if a := post("news", "desk"); !slices.Equal(a.Lists, []string{"desk"}) {
		t.Errorf("posted again with news and desk: lists %q, want [desk]", a.Lists)
	}
	if diff := cmp.Diff(links, digestLinks(t, db.Read)); diff != "" {
		t.Errorf("links to lists after the post (-want +got):\n%s", diff)
	}
	if a := post("news", "sport"); !slices.Equal(a.Lists, []string{"desk", "sport"}) {
		t.Errorf("posted again with news and sport: lists %q, want [desk sport]", a.Lists)
	}
	setLists(t, store, bridge, "desk", "news", "sport") // put back
	setLists(t, store, bridge, "news", "sport")         // off the desk
	if a := post("news", "desk"); !slices.Equal(a.Lists, []string{"news", "sport"}) {
		t.Errorf("posted again after the editor's changes: lists %q, want [news sport]", a.Lists)
	}
}
