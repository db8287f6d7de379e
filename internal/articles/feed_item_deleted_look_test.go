package articles_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// Polls look for deleted items to forget when they may find some
// (forgetClock), as for a feed's items: a day after the last look, at
// once after a read of all a feed's items, or after a full batch. Every
// poll used to look, a 304 Not Modified included, and the look walks
// every deleted item kept past its month (the undated, those of feeds
// not read since). A deleted item is then forgotten within a day past
// its memory, never before, and stays deleted while its feed gives it.
func TestDeletedFeedItemsLookedForADayApartBetweenReads(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	srv, serve, notModified := feedSite(t)
	feeds := articles.NewFeeds(db, store, true) // the test server is on loopback
	later := startClock(feeds)
	posted := later(0).Add(-time.Hour)
	gulls := datedItem{feedItem{"g", "https://news.example/2026/gulls", "Gulls return"}, posted}
	storm := datedItem{feedItem{"s", "https://news.example/2026/storm", "Storm warning"}, posted}
	ferry := datedItem{feedItem{"f", "https://news.example/2026/ferry", "Ferry timetable"}, posted}
	serve("/feed", datedRSS(gulls, storm, ferry))
	fd := addFeed(t, feeds, srv.URL+"/feed", 3)
	for _, u := range []string{gulls.link, storm.link} {
		if err := store.Delete(ctx, articleAt(t, db.Read, u)); err != nil {
			t.Fatal(err)
		}
	}
	later(time.Hour)
	serve("/feed", datedRSS(storm, ferry)) // the deleted gulls are out, the deleted storm still in
	pollAgain(t, feeds, fd.ID)
	links := digestLinks(t, db.Read)
	all := []string{"g (feed)", gulls.link + " (list)", storm.link + " (list)", "s (feed)"}

	later(articles.DeletedItemMemory - 2*time.Hour)
	pollAgain(t, feeds, fd.ID) // looks: the gulls are not a month gone
	later(2 * time.Hour)
	pollAgain(t, feeds, fd.ID) // the gulls are, but the last look was 2 hours ago
	if diff := cmp.Diff(all, deletedItems(t, db)); diff != "" {
		t.Errorf("deleted items remembered at a 304 poll two hours after the last look (-want +got):\n%s", diff)
	}
	later(day)
	pollAgain(t, feeds, fd.ID)
	// The storm's own row is kept: the feed, not read since it gave the
	// storm, may still give it. The row of its URL, no feed's, goes by
	// its age, as it did at every poll.
	if diff := cmp.Diff([]string{"s (feed)"}, deletedItems(t, db)); diff != "" {
		t.Errorf("deleted items remembered a day after the last look (-want +got):\n%s", diff)
	}
	if n := notModified.Load(); n != 3 {
		t.Errorf("%d polls answered 304, want 3", n)
	}

	// A read without the storm, a month after the read that last saw
	// it: its row goes at that poll, an hour after the last look.
	later(time.Hour)
	serve("/feed", datedRSS(ferry))
	pollAgain(t, feeds, fd.ID)
	if got := deletedItems(t, db); len(got) != 0 {
		t.Errorf("deleted items remembered after a read without the storm: %q, want none", got)
	}
	if diff := cmp.Diff([]string{"Ferry timetable <https://news.example/2026/ferry>"}, stored(t, db.Read)); diff != "" {
		t.Errorf("articles (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(links, digestLinks(t, db.Read)); diff != "" {
		t.Errorf("links for digests (-want +got):\n%s", diff)
	}
}

// The deleted item of an undated item is kept while its feed remembers
// the item (UndatedItemMemory): when a poll of that feed forgets the
// item, it looks for deleted items to forget at once, though another
// feed's read looked an hour before.
func TestDeletedUndatedItemForgottenWithItsFeedItem(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	srv, serve, notModified := feedSite(t)
	feeds := articles.NewFeeds(db, store, true)
	later := startClock(feeds)
	harbour := datedItem{feedItem: feedItem{"h", "https://quay.example/harbour", "Harbour dues"}}
	market := datedItem{feedItem: feedItem{"m", "https://quay.example/market", "Market day"}}
	serve("/quay", datedRSS(harbour, market))
	quay := addFeed(t, feeds, srv.URL+"/quay", 2)
	if err := store.Delete(ctx, articleAt(t, db.Read, harbour.link)); err != nil {
		t.Fatal(err)
	}
	later(time.Hour)
	serve("/quay", datedRSS(market))
	pollAgain(t, feeds, quay.ID)

	later(articles.UndatedItemMemory + time.Hour)
	bridge := datedItem{feedItem{"b", "https://news.example/2026/bridge", "Bridge reopens"}, later(0)}
	serve("/news", datedRSS(bridge))
	addFeed(t, feeds, srv.URL+"/news", 1) // a read: looks, and keeps the quay's harbour
	if diff := cmp.Diff([]string{"h (feed)"}, deletedItems(t, db)); diff != "" {
		t.Errorf("deleted items remembered while the quay remembers the harbour (-want +got):\n%s", diff)
	}
	later(time.Hour)
	pollAgain(t, feeds, quay.ID)
	if n := notModified.Load(); n != 1 {
		t.Errorf("%d polls answered 304, want 1", n)
	}
	if diff := cmp.Diff([]string{"b", "m"}, feedItemIDs(t, db)); diff != "" {
		t.Errorf("items remembered once the quay forgot the harbour (-want +got):\n%s", diff)
	}
	if got := deletedItems(t, db); len(got) != 0 {
		t.Errorf("deleted items remembered once the quay forgot the harbour: %q, want none", got)
	}
}
