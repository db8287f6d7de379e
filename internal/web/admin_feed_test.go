package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// newFeedAdmin is a logged-in admin on a server whose feeds may (or may
// not) live on loopback, with the list news.
func newFeedAdmin(t *testing.T, allowPrivate bool) (*articles.Feeds, *adminClient) {
	t.Helper()
	var feeds *articles.Feeds
	_, a := newAdminServerWith(t, func(s *Server, db *sqlite.DB) {
		addTestList(t, db)
		feeds = articles.NewFeeds(db, s.Articles, allowPrivate)
		s.DigestDeps = DigestDeps{Feeds: feeds}
	})
	a.login("correct horse battery")
	return feeds, a
}

// TestAdminFeeds adds, pauses, resumes and deletes a feed in the admin,
// and checks what the feeds page shows of each poll.
func TestAdminFeeds(t *testing.T) {
	feeds, a := newFeedAdmin(t, true)
	ctx := context.Background()
	good, _ := testFeed(t, 200, testRSS)
	broken, _ := testFeed(t, 500, "boom")

	resp, body := a.get("/admin/feeds")
	for _, want := range []string{`href="/admin/feeds"`, `action="/admin/feeds"`, `<option value="news">News</option>`, `name="url"`} {
		if resp.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("GET /admin/feeds = %d, lacks %s:\n%s", resp.StatusCode, want, body)
		}
	}
	token := a.csrfOf("/admin/feeds")

	if resp := a.post("/admin/feeds", url.Values{"url": {good.URL + "/feed.xml"}, "list": {"news"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("add without csrf = %d, want 403", resp.StatusCode)
	}
	if got, _, _ := feeds.List(ctx, 0, 0); len(got) != 0 {
		t.Fatal("the refused form added a feed")
	}
	resp, body = a.postBody("/admin/feeds", url.Values{"csrf": {token}, "url": {"not a url"}, "list": {"news"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Give an absolute http or https URL") || !strings.Contains(body, `value="not a url"`) {
		t.Errorf("add of a bad URL = %d, want 422 with the reason and the value:\n%s", resp.StatusCode, body)
	}

	resp = a.post("/admin/feeds", url.Values{"csrf": {token}, "url": {good.URL + "/feed.xml"}, "list": {"news"}})
	checkFlashRedirect(t, "add", resp, "/admin/feeds", "feed-added")
	resp = a.post("/admin/feeds", url.Values{"csrf": {token}, "url": {broken.URL + "/feed.xml"}, "list": {"news"}})
	checkFlashRedirect(t, "add of a failing feed", resp, "/admin/feeds", "feed-failed")
	list, _, err := feeds.List(ctx, 0, 0)
	if err != nil || len(list) != 2 {
		t.Fatalf("feeds = %v, %v", list, err)
	}
	id := list[0].ID
	_, body = a.get("/admin/feeds")
	body = html.UnescapeString(body)
	for _, want := range []string{"Feed added", good.URL + "/feed.xml", "200 OK", "the server answered 500 Internal Server Error",
		fmt.Sprintf(`action="/admin/feeds/%d/pause"`, id), fmt.Sprintf(`href="/admin/feeds/%d/delete"`, id), `<td data-label="Items">2</td>`} {
		if !strings.Contains(body, want) {
			t.Errorf("feeds page lacks %s:\n%s", want, body)
		}
	}
	// The layout's menu script is the page's only one:
	// TestAdminCSPAllowsTheTemplatesScripts holds the CSP to it.
	if strings.Contains(layoutScriptFree(body), "<script") || strings.Contains(body, " onclick") || strings.Contains(body, " onsubmit") {
		t.Error("the feeds page has an inline script of its own; the admin CSP would block it")
	}

	pause := fmt.Sprintf("/admin/feeds/%d/pause", id)
	if resp := a.post(pause, url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("pause without csrf = %d, want 403", resp.StatusCode)
	}
	resp = a.post(pause, url.Values{"csrf": {token}})
	checkFlashRedirect(t, "pause", resp, "/admin/feeds", "feed-paused")
	if fd, _ := feeds.Get(ctx, id); fd.Active {
		t.Error("the paused feed is active")
	}
	_, body = a.get("/admin/feeds")
	if !strings.Contains(body, fmt.Sprintf(`action="/admin/feeds/%d/resume"`, id)) || !strings.Contains(body, "paused") {
		t.Errorf("a paused feed shows no resume button:\n%s", body)
	}
	resp = a.post(fmt.Sprintf("/admin/feeds/%d/resume", id), url.Values{"csrf": {token}})
	if fd, _ := feeds.Get(ctx, id); resp.StatusCode != http.StatusSeeOther || !fd.Active {
		t.Errorf("resume = %d, feed active %v", resp.StatusCode, fd.Active)
	}

	del := fmt.Sprintf("/admin/feeds/%d/delete", id)
	resp, body = a.get(del)
	if resp.StatusCode != 200 || !strings.Contains(body, `action="`+del+`"`) || !strings.Contains(body, good.URL+"/feed.xml") {
		t.Errorf("delete confirmation = %d:\n%s", resp.StatusCode, body)
	}
	if resp := a.post(del, url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("delete without csrf = %d, want 403", resp.StatusCode)
	}
	resp = a.post(del, url.Values{"csrf": {token}})
	checkFlashRedirect(t, "delete", resp, "/admin/feeds", "feed-deleted")
	if _, err := feeds.Get(ctx, id); err == nil {
		t.Error("the deleted feed is still there")
	}
	for _, path := range []string{del, "/admin/feeds/999/delete", "/admin/feeds/x/delete"} {
		if resp, _ := a.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
		}
	}
	if resp := a.post("/admin/feeds/999/pause", url.Values{"csrf": {token}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("pause of an unknown feed = %d, want 404", resp.StatusCode)
	}
}

// TestAdminFeedRefusesLoopback checks that the add form says which
// setting allows a feed on a private address.
func TestAdminFeedRefusesLoopback(t *testing.T) {
	feeds, a := newFeedAdmin(t, false)
	src, hits := testFeed(t, 200, testRSS)
	token := a.csrfOf("/admin/feeds")
	resp, body := a.postBody("/admin/feeds", url.Values{"csrf": {token}, "url": {src.URL + "/feed.xml"}, "list": {"news"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "BULLETIN_ALLOW_PRIVATE_FEEDS=1") {
		t.Errorf("add of a loopback feed = %d, want 422 naming BULLETIN_ALLOW_PRIVATE_FEEDS:\n%s", resp.StatusCode, body)
	}
	if got, _, _ := feeds.List(context.Background(), 0, 0); len(got) != 0 || hits.Load() != 0 {
		t.Errorf("the refused feed was stored (%d) or fetched (%d)", len(got), hits.Load())
	}
}
