package articles_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// A feed forgets an undated item a year after its reads stopped seeing it
// (UndatedItemMemory), and the deleted item with it: such rows used to be
// kept for ever, so a feed that dates nothing kept a row for every item it
// ever listed. They are kept up to then, as nothing but the row tells an
// undated item coming back from news; one that comes back after its row
// went is news again: a deleted one is stored again, and mailed.
func TestUndatedFeedItemsForgottenAYearAfterTheFeedDropsThem(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	srv, serve, notModified := feedSite(t)
	feeds := articles.NewFeeds(db, store, true) // the test server is on loopback
	later := startClock(feeds)
	harbour := datedItem{feedItem: feedItem{"h", "https://news.example/2026/harbour", "Harbour dues"}}
	market := datedItem{feedItem: feedItem{"", "https://news.example/2026/market", "Market day"}}
	serve("/feed", datedRSS(harbour, market))
	fd := addFeed(t, feeds, srv.URL+"/feed", 2)
	if err := store.Delete(ctx, articleAt(t, db.Read, harbour.link)); err != nil {
		t.Fatal(err)
	}
	later(time.Hour)
	bridge := datedItem{feedItem: feedItem{"b", "https://news.example/2026/bridge", "Bridge reopens"}}
	serve("/feed", datedRSS(bridge))
	if added := pollAgain(t, feeds, fd.ID); added != 1 {
		t.Fatalf("poll with the bridge added %d articles, want 1", added)
	}

	later(articles.UndatedItemMemory - day)
	pollAgain(t, feeds, fd.ID)
	if diff := cmp.Diff([]string{"b", "h", market.link}, feedItemIDs(t, db)); diff != "" {
		t.Errorf("items remembered a day short of a year on (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"h (feed)"}, deletedItems(t, db)); diff != "" {
		t.Errorf("deleted items remembered a day short of a year on (-want +got):\n%s", diff)
	}

	later(2 * day)
	pollAgain(t, feeds, fd.ID)
	if notModified.Load() != 2 {
		t.Errorf("%d polls answered 304, want 2: the feed was not read in between", notModified.Load())
	}
	if diff := cmp.Diff([]string{"b"}, feedItemIDs(t, db)); diff != "" {
		t.Errorf("items remembered a year and a day on (-want +got):\n%s", diff)
	}
	if got := deletedItems(t, db); len(got) != 0 {
		t.Errorf("deleted items remembered a year and a day on: %q, want none", got)
	}

	later(time.Hour)
	links := digestLinks(t, db.Read)
	serve("/feed", datedRSS(bridge, harbour, market))
	if added := pollAgain(t, feeds, fd.ID); added != 1 {
		t.Errorf("the deleted harbour and the market back after a year added %d articles, want 1 (the harbour's)", added)
	}
	want := []string{
		"Market day <https://news.example/2026/market>",
		"Bridge reopens <https://news.example/2026/bridge>",
		"Harbour dues <https://news.example/2026/harbour>",
	}
	if diff := cmp.Diff(want, stored(t, db.Read)); diff != "" {
		t.Errorf("articles (-want +got):\n%s", diff)
	}
	if got := digestLinks(t, db.Read); len(got) != len(links)+1 || strings.HasSuffix(got[len(got)-1], " 0") {
		t.Errorf("links for digests went from %q to %q, want the harbour's added as news (a number above 0)", links, got)
	}
	if diff := cmp.Diff([]string{"b", "h", market.link}, feedItemIDs(t, db)); diff != "" {
		t.Errorf("items remembered after they came back (-want +got):\n%s", diff)
	}
}

// A poll that does not read the feed (304 Not Modified) looks for items
// to forget only when it may find some (forgetClock): a day after the
// feed's last look, as items age past their memory, or at once after a
// read of all its items. Each such poll used to look, and forget what
// it found. An item is then forgotten within a day past its memory.
func TestFeedItemsLookedForADayApartBetweenReads(t *testing.T) {
	db, store := newFeedEnv(t)
	srv, serve, notModified := feedSite(t)
	feeds := articles.NewFeeds(db, store, true)
	later := startClock(feeds)
	posted := later(0).Add(-time.Hour)
	gulls := datedItem{feedItem{"g", "https://news.example/2026/gulls", "Gulls return"}, posted}
	ferry := datedItem{feedItem{"f", "https://news.example/2026/ferry", "Ferry timetable"}, posted}
	storm := datedItem{feedItem{"s", "https://news.example/2026/storm", "Storm warning"}, posted}
	serve("/feed", datedRSS(gulls, ferry, storm))
	fd := addFeed(t, feeds, srv.URL+"/feed", 3)
	later(time.Hour)
	serve("/feed", datedRSS(ferry, storm)) // the gulls, seen an hour ago, are out
	pollAgain(t, feeds, fd.ID)

	later(articles.FeedItemMemory - 2*time.Hour)
	pollAgain(t, feeds, fd.ID) // looks: the gulls are not a month gone
	later(2 * time.Hour)
	pollAgain(t, feeds, fd.ID) // the gulls are, but the last look was 2 hours ago
	if diff := cmp.Diff([]string{"f", "g", "s"}, feedItemIDs(t, db)); diff != "" {
		t.Errorf("items remembered two hours after the last look (-want +got):\n%s", diff)
	}
	later(day)
	pollAgain(t, feeds, fd.ID)
	if diff := cmp.Diff([]string{"f", "s"}, feedItemIDs(t, db)); diff != "" {
		t.Errorf("items remembered a day after the last look (-want +got):\n%s", diff)
	}
	if n := notModified.Load(); n != 3 {
		t.Errorf("%d polls answered 304, want 3", n)
	}

	// The storm, seen at the last read a month ago, is out of the next
	// read: it is a month gone already, and goes at that poll, an hour
	// after the last look.
	later(time.Hour)
	serve("/feed", datedRSS(ferry))
	pollAgain(t, feeds, fd.ID)
	if diff := cmp.Diff([]string{"f"}, feedItemIDs(t, db)); diff != "" {
		t.Errorf("items remembered after a read without the storm (-want +got):\n%s", diff)
	}
}
