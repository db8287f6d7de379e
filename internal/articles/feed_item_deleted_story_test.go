package articles_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
)

// A guid whose article an admin deleted, given since by the feed to
// another story (a new link and a new title), names that story: it is
// stored, and mailed, as a new article, as it would be under a guid whose
// article is live (TestFeedGUIDReusedForAnotherStory). Every later story
// given that guid used to be dropped: each issue of a one-item feed with
// one guid, each story a feed of positions gave "1" after the deleted one.
// The deleted story itself stays deleted, under its guid or another, with
// its slug fixed; for an article an editor changed before it was deleted
// too (its title is no feed's: the next poll learns the feed's).
func TestDeletedGUIDGivenToAnotherStory(t *testing.T) {
	ferries := feedItem{"latest", "https://news.example/2026/12/01/briefing", "Ferries cancelled"}
	for _, tc := range []struct {
		name   string
		first  []feedItem
		edit   bool
		polls  [][]feedItem
		adds   []int
		stored []string
	}{{
		name:  "one guid for the latest issue",
		first: []feedItem{ferries},
		polls: [][]feedItem{
			{ferries},
			{{"latest", "https://news.example/2026/12/02/briefing", "Council meets"}},
			{{"latest", "https://news.example/2026/12/01/ferries-cancelled", "Ferries cancelled"}},
			{{"latest", "https://news.example/2026/12/03/briefing", "Harbour dues rise"}},
		},
		adds: []int{0, 1, 0, 1},
		stored: []string{
			"Council meets <https://news.example/2026/12/02/briefing>",
			"Harbour dues rise <https://news.example/2026/12/03/briefing>",
		},
	}, {
		name:  "edited before it was deleted",
		first: []feedItem{ferries},
		edit:  true,
		polls: [][]feedItem{
			{ferries},
			{{"latest", "https://news.example/2026/12/01/ferries-cancelled", "Ferries cancelled"}},
			{{"latest", "https://news.example/2026/12/02/briefing", "Council meets"}},
		},
		adds:   []int{0, 0, 1},
		stored: []string{"Council meets <https://news.example/2026/12/02/briefing>"},
	}, {
		name: "positions",
		first: []feedItem{
			{"1", "https://news.example/2026/ferries", "Ferries cancelled"},
			{"2", "https://news.example/2026/storm", "Storm warning"},
		},
		polls: [][]feedItem{{
			{"1", "https://news.example/2026/council", "Council meets"},
			{"2", "https://news.example/2026/ferries", "Ferries cancelled"},
			{"3", "https://news.example/2026/storm", "Storm warning"},
		}, {
			{"1", "https://news.example/2026/harbour", "Harbour dues rise"},
			{"2", "https://news.example/2026/council", "Council meets"},
			{"3", "https://news.example/2026/ferries", "Ferries cancelled"},
			{"4", "https://news.example/2026/storm", "Storm warning"},
		}},
		adds: []int{1, 1},
		stored: []string{
			"Storm warning <https://news.example/2026/storm>",
			"Council meets <https://news.example/2026/council>",
			"Harbour dues rise <https://news.example/2026/harbour>",
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			db, store := newFeedEnv(t)
			ctx := context.Background()
			srv, serve := liveFeed(t, rssOf(tc.first...))
			feeds := articles.NewFeeds(db, store, true) // the test server is on loopback
			fd := addFeed(t, feeds, srv.URL+"/feed", len(tc.first))
			id := articleAt(t, db.Read, tc.first[0].link)
			if tc.edit {
				title := "Ferry services cancelled for the weekend"
				if _, err := store.Update(ctx, id, &articles.Patch{Title: &title}); err != nil {
					t.Fatal(err)
				}
			}
			if err := store.Delete(ctx, id); err != nil {
				t.Fatal(err)
			}
			links := digestLinks(t, db.Read)
			for i, items := range tc.polls {
				serve(rssOf(items...))
				if added := pollAgain(t, feeds, fd.ID); added != tc.adds[i] {
					t.Errorf("poll %d added %d articles, want %d", i+2, added, tc.adds[i])
				}
				if tc.adds[i] == 1 {
					links = newLinkOnly(t, db.Read, links, items[0].link)
				}
			}
			if diff := cmp.Diff(tc.stored, stored(t, db.Read)); diff != "" {
				t.Errorf("articles (-want +got):\n%s", diff)
			}
		})
	}
}

// A weak guid ("1", anything but a URL, tag: or urn:) is its own feed's:
// deleting one feed's item "1" does not hide another feed's item "1" of
// the list, whatever its title; it used to, for every feed of the list.
// The feed deleted and added again at its URL still does not bring back
// its deleted items, and an item known by a global id, or by its link,
// stays deleted whichever feed of the list gives it.
func TestWeakGUIDDeletedFromOneFeedOnly(t *testing.T) {
	db, store := newFeedEnv(t)
	ctx := context.Background()
	srv, serve, _ := feedSite(t)
	harbour := []feedItem{
		{"1", "https://harbour.example/2026/week-49", "Weekly roundup"},
		{"tag:harbour.example,2026:gulls", "https://harbour.example/2026/gulls", "Gulls return"},
		{"2", "https://harbour.example/2026/ferry", "Ferry timetable"},
	}
	serve("/harbour", rssOf(harbour...))
	serve("/council", rssOf(
		feedItem{"1", "https://council.example/2026/week-49", "Weekly roundup"},
		feedItem{"tag:harbour.example,2026:gulls", "https://harbour.example/2026/gulls?from=council", "Gulls return"},
		feedItem{"2", "https://harbour.example/2026/ferry", "Ferries run late"},
	))
	feeds := articles.NewFeeds(db, store, true)
	fd := addFeed(t, feeds, srv.URL+"/harbour", 3)
	for _, it := range harbour {
		if err := store.Delete(ctx, articleAt(t, db.Read, it.link)); err != nil {
			t.Fatal(err)
		}
	}

	addFeed(t, feeds, srv.URL+"/council", 1)
	if diff := cmp.Diff([]string{"Weekly roundup <https://council.example/2026/week-49>"}, stored(t, db.Read)); diff != "" {
		t.Errorf("articles after the council's feed was added (-want +got):\n%s", diff)
	}
	if err := feeds.Delete(ctx, fd.ID); err != nil {
		t.Fatal(err)
	}
	addFeed(t, feeds, srv.URL+"/harbour", 0)
}

// feedSite serves on 127.0.0.1 the body last set for each path, with an
// ETag of its content, answering 304 to it; notModified counts the 304s.
func feedSite(t *testing.T) (srv *httptest.Server, serve func(path, body string), notModified *atomic.Int32) {
	t.Helper()
	var mu sync.Mutex
	bodies := map[string]string{}
	notModified = new(atomic.Int32)
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		body, ok := bodies[r.URL.Path]
		mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		sum := sha256.Sum256([]byte(body))
		etag := fmt.Sprintf("%q", hex.EncodeToString(sum[:8]))
		if r.Header.Get("If-None-Match") == etag {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv, func(path, body string) {
		mu.Lock()
		defer mu.Unlock()
		bodies[path] = body
	}, notModified
}
