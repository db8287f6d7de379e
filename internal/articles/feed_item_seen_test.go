package articles_test

import (
	"context"
	"fmt"
	"html"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A datedItem is an item of a feed a test serves, with its own date; a
// zero at gives it none.
type datedItem struct {
	feedItem
	at time.Time
}

// datedRSS is an RSS 2.0 feed of items, each dated as it says.
func datedRSS(items ...datedItem) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Gazette</title><link>https://news.example/</link>`)
	for _, it := range items {
		b.WriteString(`<item><title>` + html.EscapeString(it.title) + `</title><link>` + html.EscapeString(it.link) + `</link>`)
		if it.id != "" {
			b.WriteString(`<guid isPermaLink="false">` + html.EscapeString(it.id) + `</guid>`)
		}
		if !it.at.IsZero() {
			b.WriteString(`<pubDate>` + it.at.UTC().Format(time.RFC1123Z) + `</pubDate>`)
		}
		b.WriteString(`</item>`)
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

// startClock gives feeds a clock that starts now and moves only when the
// test moves it: later(d) moves it on by d and returns the new time.
func startClock(feeds *articles.Feeds) (later func(d time.Duration) time.Time) {
	var at atomic.Int64
	at.Store(sqlite.Now().UnixMicro())
	feeds.SetClock(func() time.Time { return time.UnixMicro(at.Load()).UTC() })
	return func(d time.Duration) time.Time { return time.UnixMicro(at.Add(d.Microseconds())).UTC() }
}

// feedItemIDs is the id of every item the feeds remember, in order.
func feedItemIDs(t *testing.T, db *sqlite.DB) []string {
	t.Helper()
	return texts(t, db.Read, `SELECT item_id FROM feed_items ORDER BY item_id`)
}

const day = 24 * time.Hour

// A feed forgets an item a month after its reads stopped seeing it
// (FeedItemMemory): it used to keep a row for every item it ever listed.
// An item its latest read saw is kept however long the feed then answers
// 304 Not Modified. An item that comes back after its row went, dated as
// it was, is not stored again: not as a second article under its new
// link, nor as news.
func TestFeedItemsForgottenAMonthAfterTheFeedDropsThem(t *testing.T) {
	db, store := newFeedEnv(t)
	srv, serve, notModified := feedSite(t)
	feeds := articles.NewFeeds(db, store, true) // the test server is on loopback
	later := startClock(feeds)
	posted := later(0).Add(-time.Hour)
	gulls := datedItem{feedItem{"tag:news.example,2026:gulls", "https://news.example/2026/gulls", "Gulls return"}, posted}
	storm := datedItem{feedItem{"", "https://news.example/2026/storm", "Storm warning"}, posted}
	ferry := datedItem{feedItem{"9", "https://news.example/2026/ferry", "Ferry timetable"}, posted}
	serve("/feed", datedRSS(gulls, storm, ferry))
	fd := addFeed(t, feeds, srv.URL+"/feed", 3)

	bridge := datedItem{feedItem{"10", "https://news.example/2026/bridge", "Bridge reopens"}, later(time.Hour).Add(-time.Minute)}
	serve("/feed", datedRSS(bridge, ferry))
	if added := pollAgain(t, feeds, fd.ID); added != 1 {
		t.Fatalf("poll with the bridge added %d articles, want 1", added)
	}

	later(40 * day)
	if added := pollAgain(t, feeds, fd.ID); added != 0 || notModified.Load() == 0 {
		t.Fatalf("poll 40 days on added %d articles, %d answers 304; want 0 and a 304", added, notModified.Load())
	}
	if diff := cmp.Diff([]string{"10", "9"}, feedItemIDs(t, db)); diff != "" {
		t.Errorf("items remembered 40 days on (-want +got):\n%s", diff)
	}

	quay := datedItem{feedItem{"11", "https://news.example/2026/quay", "Quay works"}, later(day).Add(-time.Hour)}
	moved := gulls
	moved.link = "https://news.example/2026/gulls-return"
	links := digestLinks(t, db.Read)
	serve("/feed", datedRSS(quay, moved, bridge, ferry))
	if added := pollAgain(t, feeds, fd.ID); added != 1 {
		t.Errorf("poll with the quay and the gulls back added %d articles, want 1 (the quay's)", added)
	}
	want := []string{
		"Gulls return <https://news.example/2026/gulls>",
		"Storm warning <https://news.example/2026/storm>",
		"Ferry timetable <https://news.example/2026/ferry>",
		"Bridge reopens <https://news.example/2026/bridge>",
		"Quay works <https://news.example/2026/quay>",
	}
	if diff := cmp.Diff(want, stored(t, db.Read)); diff != "" {
		t.Errorf("articles (-want +got):\n%s", diff)
	}
	if got := digestLinks(t, db.Read); len(got) != len(links)+1 || !cmp.Equal(links, got[:len(links)]) {
		t.Errorf("links for digests went from %q to %q, want the quay's added, no other", links, got)
	}
	if got, _ := feeds.Get(context.Background(), fd.ID); got.LastStatus != "200 OK; 1 item skipped: dated over 30 days ago" {
		t.Errorf("status %q, want the gulls' skip noted", got.LastStatus)
	}
}

// A feed that has not read its items since it last saw one (it answers
// 304, fails, or is paused) may still carry it: its row is kept past
// FeedItemMemory, and the item is known when the feed is read again. The
// row goes a month after a read that left the item out.
func TestFeedItemsKeptWhileTheFeedIsNotRead(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		// wait is 40 days in which the feed is not read.
		wait func(t *testing.T, feeds *articles.Feeds, fd *articles.Feed, serve func(string, string), other string)
		// resume reads the feed again and returns what it added.
		resume func(t *testing.T, feeds *articles.Feeds, fd *articles.Feed) int
	}{{
		name: "not modified",
		wait: func(t *testing.T, feeds *articles.Feeds, fd *articles.Feed, _ func(string, string), _ string) {
			pollAgain(t, feeds, fd.ID)
		},
		resume: func(t *testing.T, feeds *articles.Feeds, fd *articles.Feed) int { return pollAgain(t, feeds, fd.ID) },
	}, {
		name: "failing",
		wait: func(t *testing.T, feeds *articles.Feeds, fd *articles.Feed, serve func(string, string), _ string) {
			serve("/feed", "<p>Down for maintenance</p>")
			feeds.Poll(ctx, fd)
			if got, _ := feeds.Get(ctx, fd.ID); got.LastError == "" {
				t.Fatalf("the feed serving a page did not fail: %q", got.LastStatus)
			}
		},
		resume: func(t *testing.T, feeds *articles.Feeds, fd *articles.Feed) int { return pollAgain(t, feeds, fd.ID) },
	}, {
		name: "paused",
		wait: func(t *testing.T, feeds *articles.Feeds, fd *articles.Feed, _ func(string, string), other string) {
			if _, err := feeds.SetActive(ctx, fd.ID, false); err != nil {
				t.Fatal(err)
			}
			addFeed(t, feeds, other, 1)
		},
		resume: func(t *testing.T, feeds *articles.Feeds, fd *articles.Feed) int {
			got, err := feeds.SetActive(ctx, fd.ID, true)
			if err != nil || got.LastError != "" {
				t.Fatalf("resume: %v %q", err, got.LastError)
			}
			return got.Added
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			db, store := newFeedEnv(t)
			srv, serve, _ := feedSite(t)
			feeds := articles.NewFeeds(db, store, true)
			later := startClock(feeds)
			posted := later(0).Add(-time.Hour)
			gulls := datedItem{feedItem{"tag:news.example,2026:gulls", "https://news.example/2026/gulls", "Gulls return"}, posted}
			ferry := datedItem{feedItem{"9", "https://news.example/2026/ferry", "Ferry timetable"}, posted}
			serve("/feed", datedRSS(gulls, ferry))
			serve("/other", datedRSS(datedItem{feedItem{"1", "https://other.example/2026/quay", "Quay works"}, posted}))
			fd := addFeed(t, feeds, srv.URL+"/feed", 2)

			later(40 * day)
			tc.wait(t, feeds, fd, serve, srv.URL+"/other")
			kept := []string{"9", "tag:news.example,2026:gulls"}
			if tc.name == "paused" {
				kept = []string{"1", "9", "tag:news.example,2026:gulls"}
			}
			if diff := cmp.Diff(kept, feedItemIDs(t, db)); diff != "" {
				t.Errorf("items remembered 40 days on (-want +got):\n%s", diff)
			}

			bridge := datedItem{feedItem{"10", "https://news.example/2026/bridge", "Bridge reopens"}, later(day).Add(-time.Minute)}
			serve("/feed", datedRSS(bridge, gulls, ferry))
			if added := tc.resume(t, feeds, fd); added != 1 {
				t.Errorf("the feed read again added %d articles, want 1 (the bridge's)", added)
			}
			if got, _ := feeds.Get(ctx, fd.ID); got.LastStatus != "200 OK" {
				t.Errorf("the feed read again: status %q, want 200 OK and nothing skipped", got.LastStatus)
			}

			later(time.Hour)
			serve("/feed", datedRSS(bridge))
			pollAgain(t, feeds, fd.ID)
			later(31 * day)
			pollAgain(t, feeds, fd.ID)
			want := []string{"10"}
			if tc.name == "paused" {
				want = []string{"1", "10"}
			}
			if diff := cmp.Diff(want, feedItemIDs(t, db)); diff != "" {
				t.Errorf("items remembered a month after a read without the gulls and the ferry (-want +got):\n%s", diff)
			}
		})
	}
}

// A poll forgets a few of a feed's items, not years of them at once: the
// write stays short (forgetBatch, 100 rows), and the next polls take the
// rest.
func TestFeedItemsForgottenInBatches(t *testing.T) {
	db, store := newFeedEnv(t)
	srv, serve, _ := feedSite(t)
	feeds := articles.NewFeeds(db, store, true)
	later := startClock(feeds)
	posted := later(0).Add(-time.Hour)
	var items []datedItem
	for i := range 250 {
		items = append(items, datedItem{feedItem{fmt.Sprint("old-", i), fmt.Sprint("https://news.example/old/", i), fmt.Sprint("Old story ", i)}, posted})
	}
	serve("/feed", datedRSS(items...))
	fd := addFeed(t, feeds, srv.URL+"/feed", 250)
	serve("/feed", datedRSS(datedItem{feedItem{"new", "https://news.example/new", "New story"}, later(time.Hour)}))
	pollAgain(t, feeds, fd.ID)

	later(31 * day)
	left := len(feedItemIDs(t, db))
	for poll := 1; left > 1; poll++ {
		if poll > 4 {
			t.Fatalf("%d items left after %d polls, want 1", left, poll-1)
		}
		pollAgain(t, feeds, fd.ID)
		n := len(feedItemIDs(t, db))
		if forgot := left - n; forgot < 1 || forgot > 100 {
			t.Errorf("poll %d forgot %d items, want 1 to 100", poll, forgot)
		}
		left = n
	}
	if diff := cmp.Diff([]string{"new"}, feedItemIDs(t, db)); diff != "" {
		t.Errorf("items remembered (-want +got):\n%s", diff)
	}
}

// An article an editor deleted stays deleted when its item comes back to
// the feed after a month away, its rows forgotten meanwhile
// (DeletedItemMemory): dated as it was, it is not stored again, where it
// came back as old news into the admin's articles. A new story the feed
// then gives under its guid, dated now, comes in, and is news.
func TestDeletedFeedItemBackAfterAMonthStaysDeleted(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	srv, serve, _ := feedSite(t)
	feeds := articles.NewFeeds(db, store, true)
	later := startClock(feeds)
	posted := later(0).Add(-time.Hour)
	gulls := datedItem{feedItem{"tag:news.example,2026:gulls", "https://news.example/2026/gulls", "Gulls return"}, posted}
	ferry := datedItem{feedItem{"9", "https://news.example/2026/ferry", "Ferry timetable"}, posted}
	serve("/feed", datedRSS(gulls, ferry))
	fd := addFeed(t, feeds, srv.URL+"/feed", 2)
	if err := store.Delete(ctx, articleAt(t, db.Read, gulls.link)); err != nil {
		t.Fatal(err)
	}
	later(time.Hour)
	serve("/feed", datedRSS(ferry))
	pollAgain(t, feeds, fd.ID)
	later(40 * day)
	pollAgain(t, feeds, fd.ID)
	if got := deletedItems(t, db); len(got) != 0 {
		t.Fatalf("deleted items remembered 40 days on: %q, want none", got)
	}

	later(day)
	serve("/feed", datedRSS(gulls, ferry))
	if added := pollAgain(t, feeds, fd.ID); added != 0 {
		t.Errorf("the deleted gulls back after 41 days added %d articles, want 0", added)
	}
	if diff := cmp.Diff([]string{"Ferry timetable <https://news.example/2026/ferry>"}, stored(t, db.Read)); diff != "" {
		t.Errorf("articles (-want +got):\n%s", diff)
	}

	quay := datedItem{feedItem{gulls.id, "https://news.example/2026/quay", "Quay works"}, later(time.Hour).Add(-time.Minute)}
	serve("/feed", datedRSS(quay, ferry))
	if added := pollAgain(t, feeds, fd.ID); added != 1 {
		t.Errorf("a new story under the gulls' guid added %d articles, want 1", added)
	}
	links := digestLinks(t, db.Read)
	if len(links) != 2 || strings.HasSuffix(links[1], " 0") {
		t.Errorf("links for digests %q, want the quay's as news (a number above 0)", links)
	}
}

// An undated item cannot be told from news by its date: were its rows to
// go, a deleted one coming back after a month would be stored, dated
// when saved, and mailed again. Its rows are kept while its feed gives
// it undated, for a year after the feed stops (UndatedItemMemory, see
// TestUndatedFeedItemsForgottenAYearAfterTheFeedDropsThem); a dated item
// of the same feed is forgotten after a month. A new story under the
// deleted item's guid still comes in.
func TestUndatedFeedItemsKept(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	srv, serve, _ := feedSite(t)
	feeds := articles.NewFeeds(db, store, true)
	later := startClock(feeds)
	harbour := datedItem{feedItem: feedItem{"h", "https://news.example/2026/harbour", "Harbour dues"}}
	market := datedItem{feedItem: feedItem{"", "https://news.example/2026/market", "Market day"}}
	storm := datedItem{feedItem{"s", "https://news.example/2026/storm", "Storm warning"}, later(0).Add(-time.Hour)}
	serve("/feed", datedRSS(harbour, market, storm))
	fd := addFeed(t, feeds, srv.URL+"/feed", 3)
	if err := store.Delete(ctx, articleAt(t, db.Read, harbour.link)); err != nil {
		t.Fatal(err)
	}
	later(time.Hour)
	bridge := datedItem{feedItem: feedItem{"b", "https://news.example/2026/bridge", "Bridge reopens"}}
	serve("/feed", datedRSS(bridge))
	if added := pollAgain(t, feeds, fd.ID); added != 1 {
		t.Fatalf("poll with the bridge added %d articles, want 1", added)
	}

	later(40 * day)
	pollAgain(t, feeds, fd.ID)
	if diff := cmp.Diff([]string{"b", "h", market.link}, feedItemIDs(t, db)); diff != "" {
		t.Errorf("items remembered 40 days on (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"h (feed)"}, deletedItems(t, db)); diff != "" {
		t.Errorf("deleted items remembered 40 days on (-want +got):\n%s", diff)
	}

	later(day)
	links := digestLinks(t, db.Read)
	serve("/feed", datedRSS(bridge, harbour, market))
	if added := pollAgain(t, feeds, fd.ID); added != 0 {
		t.Errorf("the deleted harbour and the market back after 41 days added %d articles, want 0", added)
	}
	want := []string{
		"Market day <https://news.example/2026/market>",
		"Storm warning <https://news.example/2026/storm>",
		"Bridge reopens <https://news.example/2026/bridge>",
	}
	if diff := cmp.Diff(want, stored(t, db.Read)); diff != "" {
		t.Errorf("articles (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(links, digestLinks(t, db.Read)); diff != "" {
		t.Errorf("links for digests (-before +after):\n%s", diff)
	}

	later(time.Hour)
	serve("/feed", datedRSS(datedItem{feedItem: feedItem{"h", "https://news.example/2026/quay", "Quay works"}}, bridge, market))
	if added := pollAgain(t, feeds, fd.ID); added != 1 {
		t.Errorf("a new story under the harbour's guid added %d articles, want 1", added)
	}
}
