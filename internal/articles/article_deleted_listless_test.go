package articles_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// An article deleted while on no list, posted so or taken off its lists
// by an editor, is remembered by every list, as one on lists is by its
// own: a post of its URL (Put) stores nothing and is a conflict. It was
// forgotten, and the post stored it anew. One deleted from a list is
// still remembered by that list only. Create brings each back, and
// forgets every row of its URL, so a feed takes it again.
func TestDeleteOfAnArticleOnNoListIsRemembered(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	if _, err := db.Write.Exec(`INSERT INTO lists (slug, name, created_at) VALUES ('desk', 'Desk', ?)`, time.Now()); err != nil {
		t.Fatal(err)
	}
	put := func(title, url string, lists ...string) (*articles.Article, error) {
		a, _, err := store.Put(ctx, &articles.Patch{Title: &title, URL: &url, Lists: &lists})
		return a, err
	}
	rows := func() []string {
		return texts(t, db.Read, `SELECT l.slug || ' ' || d.item_id FROM deleted_feed_items d JOIN lists l ON l.id = d.list_id
			WHERE d.feed_url = '' ORDER BY l.slug, d.item_id`)
	}
	quay, err := put("Quay works", "https://news.example/quay")
	if err != nil {
		t.Fatal(err)
	}
	gulls, err := put("Gulls return", "https://news.example/gulls", "news")
	if err != nil {
		t.Fatal(err)
	}
	none := []string{}
	if _, err := store.Update(ctx, gulls.ID, &articles.Patch{Lists: &none}); err != nil {
		t.Fatal(err)
	}
	tide, err := put("Tide tables", "https://news.example/tide", "news")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []*articles.Article{quay, gulls, tide} {
		if err := store.Delete(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"desk https://news.example/gulls", "desk https://news.example/quay",
		"news https://news.example/gulls", "news https://news.example/quay", "news https://news.example/tide",
	}
	if diff := cmp.Diff(want, rows()); diff != "" {
		t.Errorf("deleted URLs remembered (-want +got):\n%s", diff)
	}
	for _, a := range []*articles.Article{quay, gulls} {
		if _, err := put(a.Title, a.URL, "desk"); bulletin.ErrorCode(err) != bulletin.ECONFLICT || bulletin.ErrorFields(err)["url"] == "" {
			t.Errorf("Put of %s, deleted on no list: %v, want a conflict naming url", a.URL, err)
		}
	}
	if n := len(stored(t, db.Read)); n != 0 {
		t.Errorf("%d articles after the refused posts, want 0", n)
	}

	title, url := quay.Title, "HTTPS://News.Example/quay"
	if _, err := store.Create(ctx, &articles.Patch{Title: &title, URL: &url, Lists: &none}); err != nil {
		t.Fatalf("Create of the deleted URL: %v, want it brought back", err)
	}
	want = []string{"desk https://news.example/gulls", "news https://news.example/gulls", "news https://news.example/tide"}
	if diff := cmp.Diff(want, rows()); diff != "" {
		t.Errorf("deleted URLs remembered after Create brought quay back (-want +got):\n%s", diff)
	}
	if err := store.Delete(ctx, articleAt(t, db.Read, "https://news.example/quay")); err != nil {
		t.Fatal(err)
	}
	if _, err := put(quay.Title, quay.URL); bulletin.ErrorCode(err) != bulletin.ECONFLICT {
		t.Errorf("Put of quay deleted again: %v, want a conflict", err)
	}
}

// An article Create brings back is its feed's again: the feed's next
// poll puts it on the feed's list, by its guid and by its link, and knows
// the item as that article. The feed's rows of the deleted item (by the
// guid, with the link it was seen with, and by the link) kept it out.
func TestFeedTakesAnArticleCreateBroughtBack(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	srv, _ := liveFeed(t, rssOf(
		feedItem{"tag:news.example,2026:bridge", "https://news.example/2026/bridge", "Bridge reopens"},
		feedItem{"", "https://news.example/2026/storm", "Storm warning"},
	))
	feeds := articles.NewFeeds(db, store, true) // the test server is on loopback
	fd := addFeed(t, feeds, srv.URL+"/feed", 2)
	for _, url := range []string{"https://news.example/2026/bridge", "https://news.example/2026/storm"} {
		if err := store.Delete(ctx, articleAt(t, db.Read, url)); err != nil {
			t.Fatal(err)
		}
	}
	if n := pollAgain(t, feeds, fd.ID); n != 0 {
		t.Fatalf("the poll after the deletes added %d, want 0", n)
	}

	none := []string{}
	for _, it := range []struct{ title, url string }{{"Bridge reopens", "https://news.example/2026/bridge"}, {"Storm warning", "https://news.example/2026/storm"}} {
		if _, err := store.Create(ctx, &articles.Patch{Title: &it.title, URL: &it.url, Lists: &none}); err != nil {
			t.Fatal(err)
		}
	}
	if got := texts(t, db.Read, `SELECT item_id FROM deleted_feed_items`); len(got) != 0 {
		t.Errorf("deleted items remembered after Create brought both back: %q", got)
	}
	if n := pollAgain(t, feeds, fd.ID); n != 2 {
		t.Errorf("the poll after Create brought both back added %d, want 2", n)
	}
	got := texts(t, db.Read, `SELECT a.url || ' ' || COALESCE((SELECT group_concat(l.slug) FROM article_lists al JOIN lists l ON l.id = al.list_id
		WHERE al.article_id = a.id), '-') FROM articles a ORDER BY a.url`)
	if diff := cmp.Diff([]string{"https://news.example/2026/bridge news", "https://news.example/2026/storm news"}, got); diff != "" {
		t.Errorf("articles after the poll (-want +got):\n%s", diff)
	}
	known := texts(t, db.Read, `SELECT fi.item_id || ' ' || a.url FROM feed_items fi JOIN articles a ON a.id = fi.article_id ORDER BY fi.item_id`)
	want := []string{"https://news.example/2026/storm https://news.example/2026/storm", "tag:news.example,2026:bridge https://news.example/2026/bridge"}
	if diff := cmp.Diff(want, known); diff != "" {
		t.Errorf("the feed's items (-want +got):\n%s", diff)
	}
}
