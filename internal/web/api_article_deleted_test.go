package web

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// An article deleted while on no list is remembered as deleted, as one
// deleted from its lists is: a POST of its URL answers 409 naming url and
// stores nothing. It was forgotten, and a CMS posting the URL at its next
// save stored the story anew. The admin's New article form brings it
// back, and a POST then changes it (200).
func TestArticleAPIRemembersADeleteOnNoList(t *testing.T) {
	_, a, token := fullServer(t)
	a.login("correct horse battery")
	const post = `{"title":"Quay works","url":"https://news.example/quay"}`
	code, art := apiCall(t, a.base, token, "POST", "/api/v1/articles", post)
	if code != http.StatusCreated || len(asSlice(art["lists"])) != 0 {
		t.Fatalf("POST on no list = %d %v, want 201", code, art)
	}
	if code, got := apiCall(t, a.base, token, "DELETE", "/api/v1/articles/"+jsonNumber(art["id"]), ""); code != http.StatusNoContent {
		t.Fatalf("DELETE = %d %v", code, got)
	}
	code, got := apiCall(t, a.base, token, "POST", "/api/v1/articles", `{"title":"Quay works","url":"HTTPS://News.Example/quay"}`)
	if fields, _ := got["fields"].(map[string]any); code != http.StatusConflict || fields["url"] == nil {
		t.Errorf("POST of the URL of the article deleted on no list = %d %v, want 409 naming url", code, got)
	}
	if code, page := apiCall(t, a.base, token, "GET", "/api/v1/articles", ""); code != http.StatusOK || len(asSlice(page["items"])) != 0 {
		t.Errorf("articles after the refused POST = %d %v, want none", code, page)
	}

	restoreArticle(t, a, "Quay works", "https://news.example/quay")
	if code, got := apiCall(t, a.base, token, "POST", "/api/v1/articles", post); code != http.StatusOK {
		t.Errorf("POST after the New article form brought it back = %d %v, want 200", code, got)
	}
}

// restoreArticle adds the article of title at u, on no list, with the
// admin's New article form, as an editor brings a deleted one back.
func restoreArticle(t *testing.T, a *adminClient, title, u string) {
	t.Helper()
	form := url.Values{"csrf": {a.csrfOf("/admin/articles/new")}, "title": {title}, "url": {u}, "summary": {""}, "body": {""},
		"author": {""}, "image_url": {""}, "image_alt": {""}, "published_at": {time.Now().UTC().Format(formTime)}}
	if resp, body := a.postBody("/admin/articles", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the New article form with %s = %d:\n%s", u, resp.StatusCode, body)
	}
}

// After the admin's New article form brings back a deleted article, a
// feed giving its URL takes it again: the article goes on the feed's list
// at the next poll. The feed still took the item for the deleted article
// and left it out, the restored article on none of its lists, though
// posts took the URL again.
func TestRestoredArticleIsTakenByFeedsAgain(t *testing.T) {
	published := time.Now().Add(-time.Hour).UTC().Format(time.RFC1123Z)
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link>
<item><title>Tide tables</title><link>https://wire.example/tide</link><guid isPermaLink="false">tag:wire.example,2026:tide</guid><pubDate>`+published+`</pubDate></item>
<item><title>Pier lights</title><link>https://wire.example/pier</link><pubDate>`+published+`</pubDate></item>
</channel></rss>`)
	}))
	t.Cleanup(feed.Close)
	_, a, token := fullServer(t)
	a.login("correct horse battery")
	code, fd := apiCall(t, a.base, token, "POST", "/api/v1/feeds", `{"url":"`+feed.URL+`/rss","list":"news"}`)
	if code != http.StatusCreated || fd["added"] != float64(2) {
		t.Fatalf("POST the feed = %d %v, want 201 with 2 added", code, fd)
	}
	feedPath := "/api/v1/feeds/" + jsonNumber(fd["id"])
	repoll := func() float64 {
		t.Helper()
		apiCall(t, a.base, token, "PATCH", feedPath, `{"active":false}`)
		code, got := apiCall(t, a.base, token, "PATCH", feedPath, `{"active":true}`)
		if failed, _ := got["last_error"].(string); code != http.StatusOK || failed != "" {
			t.Fatalf("resume the feed = %d %v", code, got)
		}
		return got["added"].(float64)
	}
	_, page := apiCall(t, a.base, token, "GET", "/api/v1/articles", "")
	for _, it := range asSlice(page["items"]) {
		if code, got := apiCall(t, a.base, token, "DELETE", "/api/v1/articles/"+jsonNumber(it.(map[string]any)["id"]), ""); code != http.StatusNoContent {
			t.Fatalf("DELETE = %d %v", code, got)
		}
	}
	if n := repoll(); n != 0 {
		t.Fatalf("the poll after the deletes added %v, want 0", n)
	}

	for _, it := range []struct{ title, url string }{{"Tide tables", "https://wire.example/tide"}, {"Pier lights", "https://wire.example/pier"}} {
		restoreArticle(t, a, it.title, it.url)
	}
	if n := repoll(); n != 2 {
		t.Errorf("the poll after the New article form brought both back added %v, want 2", n)
	}
	_, page = apiCall(t, a.base, token, "GET", "/api/v1/articles", "")
	var got []string
	for _, it := range asSlice(page["items"]) {
		m := it.(map[string]any)
		got = append(got, fmt.Sprint(m["url"], " ", m["lists"]))
	}
	want := []string{"https://wire.example/pier [news]", "https://wire.example/tide [news]"}
	if !cmp.Equal(want, got) && !cmp.Equal([]string{want[1], want[0]}, got) {
		t.Errorf("articles after the poll: %q, want both on news", got)
	}
}
