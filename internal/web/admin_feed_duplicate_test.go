package web

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Migration 098 put stored feed URLs in an article URL's form but merged
// no two feeds: where two feeds of a list came to one URL, one took it
// and the other kept its own, still polled, to be deleted by hand. The
// feeds page showed both as ordinary feeds, and adding the URL again said
// it was there already without saying which. Now the duplicate's row
// names the feed it duplicates, a feed alone (or on another list) has no
// note, and the "here already" banner names the feed it found.
func TestFeedsPageNotesDuplicateFeeds(t *testing.T) {
	feeds, a, db := newFeedAdmin31(t, true)
	ctx := context.Background()
	good, _ := testFeed(t, 200, testRSS)
	stored := good.URL + "/feed.xml" // http://127.0.0.1:port/feed.xml, in its form already
	token := a.csrfOf("/admin/feeds")
	resp := a.post("/admin/feeds", url.Values{"csrf": {token}, "url": {stored}, "list": {"daily-news"}})
	checkFlashRedirect(t, "add", resp, "/admin/feeds", "feed-added")
	list, _, err := feeds.List(ctx, 0, 0)
	if err != nil || len(list) != 1 {
		t.Fatalf("feeds = %v, %v", list, err)
	}
	first := list[0].ID
	// As a version before 098 stored it: the scheme in capitals, the
	// default port given. On another list the same URL is another feed.
	old := "HTTP://" + strings.TrimPrefix(good.URL, "http://") + "/feed.xml"
	for _, r := range []struct{ url, list string }{{old, "daily-news"}, {stored, "weekend"}} {
		if _, err := db.Write.Exec(`INSERT INTO feeds (url, list_id, created_at) SELECT ?, id, ? FROM lists WHERE slug = ?`,
			r.url, time.Now(), r.list); err != nil {
			t.Fatal(err)
		}
	}
	list, _, err = feeds.List(ctx, 0, 0)
	if err != nil || len(list) != 3 {
		t.Fatalf("feeds = %v, %v", list, err)
	}
	dup, other := list[1].ID, list[2].ID

	_, body := a.get("/admin/feeds")
	body = html.UnescapeString(body)
	note := fmt.Sprintf(`Same feed as <a href="#feed-%d">#%d</a> (%s), polled twice: delete this one.`, first, first, stored)
	if n := strings.Count(body, "Same feed as"); n != 1 || !strings.Contains(body, note) {
		t.Errorf("feeds page has %d duplicate notes, want one: %s\n%s", n, note, body)
	}
	// The note is in the duplicate's row, next to its delete.
	rowOf := func(id int64) string {
		t.Helper()
		i := strings.Index(body, fmt.Sprintf(`<tr id="feed-%d">`, id))
		if i < 0 {
			t.Fatalf("no row for feed %d:\n%s", id, body)
		}
		r, _, _ := strings.Cut(body[i:], "</tr>")
		return r
	}
	if row := rowOf(dup); !strings.Contains(row, note) || !strings.Contains(row, fmt.Sprintf(`href="/admin/feeds/%d/delete"`, dup)) {
		t.Errorf("the duplicate's row lacks the note or its delete:\n%s", row)
	}
	for _, id := range []int64{first, other} {
		if r := rowOf(id); strings.Contains(r, "Same feed as") {
			t.Errorf("feed %d, no duplicate, has a note:\n%s", id, r)
		}
	}

	// Adding it again names the feed it found, as stored.
	resp = a.post("/admin/feeds", url.Values{"csrf": {token}, "url": {old}, "list": {"daily-news"}})
	checkFlashRedirect(t, "add again", resp, "/admin/feeds", "feed-known")
	_, body = a.followFlash(resp)
	body = html.UnescapeString(body)
	if want := fmt.Sprintf("That feed was here already: %s (#%d), see it below.", stored, first); !strings.Contains(body, want) {
		t.Errorf("feeds page after adding a known feed lacks %q:\n%s", want, body)
	}

	// Deleted, the duplicate takes its note with it.
	if err := feeds.Delete(ctx, dup); err != nil {
		t.Fatal(err)
	}
	if _, body = a.get("/admin/feeds"); strings.Contains(body, "Same feed as") {
		t.Errorf("feeds page has a duplicate note with no duplicate left:\n%s", body)
	}
}
