package articles_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// A feed whose guids are positions ("1", "2", "3") gives a known guid to
// another story at the next poll. A known guid whose item has a new link
// and a new title is that other story: it is stored, and mailed, as a
// new article, and the article the guid named before stays as it was.
// Each poll used to write the new story over the old article (unmailed),
// move the next article onto the old story's link, and store the old
// story again as new. A known guid with only its link or only its title
// changed is still the same item.
func TestFeedGUIDReusedForAnotherStory(t *testing.T) {
	for name, format := range map[string]func(...feedItem) string{"rss": rssOf, "atom": atomOf} {
		t.Run(name, func(t *testing.T) {
			db, store := newFeedEnv(t)
			srv, serve := liveFeed(t, format(
				feedItem{"1", "https://news.example/2026/bridge", "Bridge reopens"},
				feedItem{"2", "https://news.example/2026/storm", "Storm warning"},
				feedItem{"tag:news.example,2026:ferry", "https://news.example/2026/ferry", "Ferry timetabel"},
				feedItem{"tag:news.example,2026:gulls", "https://news.example/2026/gulls-retrun", "Gulls return"},
			))
			feeds := articles.NewFeeds(db, store, true) // the test server is on loopback
			fd := addFeed(t, feeds, srv.URL+"/feed", 4)
			links := digestLinks(t, db.Read)

			serve(format(
				feedItem{"1", "https://news.example/2026/council", "Council meets"},
				feedItem{"2", "https://news.example/2026/bridge", "Bridge reopens"},
				feedItem{"3", "https://news.example/2026/storm", "Storm warning"},
				feedItem{"tag:news.example,2026:ferry", "https://news.example/2026/ferry", "Ferry timetable"},
				feedItem{"tag:news.example,2026:gulls", "https://news.example/2026/gulls-return", "Gulls return"},
			))
			if added := pollAgain(t, feeds, fd.ID); added != 1 {
				t.Errorf("second poll added %d articles, want 1 (the council's)", added)
			}
			want := []string{
				"Bridge reopens <https://news.example/2026/bridge>",
				"Storm warning <https://news.example/2026/storm>",
				"Ferry timetable <https://news.example/2026/ferry>",
				"Gulls return <https://news.example/2026/gulls-return>",
				"Council meets <https://news.example/2026/council>",
			}
			if diff := cmp.Diff(want, stored(t, db.Read)); diff != "" {
				t.Errorf("articles after the second poll (-want +got):\n%s", diff)
			}
			links = newLinkOnly(t, db.Read, links, "https://news.example/2026/council")

			serve(format(
				feedItem{"1", "https://news.example/2026/harbour", "Harbour dues rise"},
				feedItem{"2", "https://news.example/2026/council", "Council meets"},
				feedItem{"3", "https://news.example/2026/bridge", "Bridge reopens"},
				feedItem{"4", "https://news.example/2026/storm", "Storm warning"},
			))
			if added := pollAgain(t, feeds, fd.ID); added != 1 {
				t.Errorf("third poll added %d articles, want 1 (the harbour's)", added)
			}
			want = append(want, "Harbour dues rise <https://news.example/2026/harbour>")
			if diff := cmp.Diff(want, stored(t, db.Read)); diff != "" {
				t.Errorf("articles after the third poll (-want +got):\n%s", diff)
			}
			newLinkOnly(t, db.Read, links, "https://news.example/2026/harbour")
		})
	}
}

// A story an admin deleted does not come back under a guid the feed gave
// another story before, and that guid still names the next story it is
// given. The poll used to move the guid's article onto the deleted
// story's link and text.
func TestFeedGUIDReusedForADeletedStory(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	srv, serve := liveFeed(t, rssOf(
		feedItem{"1", "https://news.example/2026/bridge", "Bridge reopens"},
		feedItem{"2", "https://news.example/2026/storm", "Storm warning"},
		feedItem{"3", "https://news.example/2026/ferry", "Ferry timetable"},
	))
	feeds := articles.NewFeeds(db, store, true)
	fd := addFeed(t, feeds, srv.URL+"/feed", -1)
	if err := store.Delete(ctx, articleAt(t, db.Read, "https://news.example/2026/storm")); err != nil {
		t.Fatal(err)
	}
	polls := [][]feedItem{{
		{"1", "https://news.example/2026/council", "Council meets"},
		{"2", "https://news.example/2026/bridge", "Bridge reopens"},
		{"3", "https://news.example/2026/storm", "Storm warning"},
		{"4", "https://news.example/2026/ferry", "Ferry timetable"},
	}, {
		{"1", "https://news.example/2026/harbour", "Harbour dues rise"},
		{"2", "https://news.example/2026/council", "Council meets"},
		{"3", "https://news.example/2026/bridge", "Bridge reopens"},
		{"4", "https://news.example/2026/storm", "Storm warning"},
		{"5", "https://news.example/2026/ferry", "Ferry timetable"},
	}, {
		{"1", "https://news.example/2026/gulls", "Gulls return"},
		{"2", "https://news.example/2026/harbour", "Harbour dues rise"},
		{"3", "https://news.example/2026/council", "Council meets"},
		{"4", "https://news.example/2026/bridge", "Bridge reopens"},
	}}
	for i, items := range polls {
		serve(rssOf(items...))
		if added := pollAgain(t, feeds, fd.ID); added != 1 {
			t.Errorf("poll %d added %d articles, want 1 (%s)", i+2, added, items[0].title)
		}
	}
	want := []string{
		"Bridge reopens <https://news.example/2026/bridge>",
		"Ferry timetable <https://news.example/2026/ferry>",
		"Council meets <https://news.example/2026/council>",
		"Harbour dues rise <https://news.example/2026/harbour>",
		"Gulls return <https://news.example/2026/gulls>",
	}
	if diff := cmp.Diff(want, stored(t, db.Read)); diff != "" {
		t.Errorf("articles (-want +got):\n%s", diff)
	}
}

// A feed that gives every item the site's address or its own URL as its
// guid (a one-item feed of the latest issue, say) names no item by it:
// its items are known by their links, so each new issue is a new article,
// mailed, even under the title of the last. The feed's first item used to
// be the only article it ever brought, its link and text following each
// new issue, and no digest mailed any after the first.
func TestFeedGUIDThatIsTheSiteOrTheFeed(t *testing.T) {
	for name, guid := range map[string]func(feedURL string) string{
		"channel link":             func(string) string { return "https://news.example/" },
		"channel link, other case": func(string) string { return "https://News.Example" },
		"feed URL":                 func(u string) string { return u },
	} {
		t.Run(name, func(t *testing.T) {
			db, store := newFeedEnv(t)
			srv, serve := liveFeed(t, "")
			feedURL := srv.URL + "/feed"
			serve(rssOf(feedItem{guid(feedURL), "https://news.example/2026/12/01/briefing", "Morning briefing"}))
			feeds := articles.NewFeeds(db, store, true)
			fd := addFeed(t, feeds, feedURL, 1)
			links := digestLinks(t, db.Read)
			serve(rssOf(feedItem{guid(feedURL), "https://news.example/2026/12/02/briefing", "Morning briefing"}))
			if added := pollAgain(t, feeds, fd.ID); added != 1 {
				t.Errorf("second poll added %d articles, want 1", added)
			}
			want := []string{
				"Morning briefing <https://news.example/2026/12/01/briefing>",
				"Morning briefing <https://news.example/2026/12/02/briefing>",
			}
			if diff := cmp.Diff(want, stored(t, db.Read)); diff != "" {
				t.Errorf("articles (-want +got):\n%s", diff)
			}
			newLinkOnly(t, db.Read, links, "https://news.example/2026/12/02/briefing")
		})
	}
}

// newLinkOnly checks that the links of articles to lists are before's
// and one more, the link of the article at url with a number above every
// other (news to every digest), and returns them.
func newLinkOnly(t *testing.T, db *sql.DB, before []string, url string) []string {
	t.Helper()
	var id, seq, top int64
	if err := db.QueryRow(`SELECT al.article_id, al.seq, (SELECT COALESCE(MAX(seq), 0) FROM article_lists WHERE article_id != al.article_id)
		FROM article_lists al JOIN articles a ON a.id = al.article_id WHERE a.url = ?`, url).Scan(&id, &seq, &top); err != nil {
		t.Fatalf("link of %s: %v", url, err)
	}
	if seq <= top {
		t.Errorf("the link of %s has number %d, not above the others' %d: no digest takes it as new", url, seq, top)
	}
	want := append(append([]string{}, before...), fmt.Sprintf("%d 1 %d", id, seq))
	got := digestLinks(t, db)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("links to lists, which digests take (-want +got):\n%s", diff)
	}
	return got
}
