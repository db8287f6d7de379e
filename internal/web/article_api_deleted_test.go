package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestArticlePostOfDeletedURL: an article an editor deleted does not come
// back when a CMS posts its URL again, in any case of its host: the POST
// is a 409 that stores nothing and says how to bring it back, and the
// next digest has nothing new. The admin's New article form, which the
// answer names, does bring it back; posts of the URL then update it.
func TestArticlePostOfDeletedURL(t *testing.T) {
	_, a, token, _ := fullServerDB(t)
	api := &articleAPI{t: t, base: a.base, token: token}
	const race = "https://cms.example.com/race"
	status, created := api.call("POST", "/api/v1/articles", `{"url":"`+race+`","title":"Race","lists":["news"]}`)
	if status != http.StatusCreated {
		t.Fatalf("POST = %d %v, want 201", status, created)
	}
	if status, d := api.call("POST", "/api/v1/digests/run", `{"list":"news"}`); status != http.StatusCreated {
		t.Fatalf("digest run = %d %v, want 201", status, d)
	}
	if status, got := api.call("DELETE", fmt.Sprintf("/api/v1/articles/%v", created["id"]), ""); status != http.StatusNoContent {
		t.Fatalf("DELETE = %d %v, want 204", status, got)
	}

	for _, u := range []string{race, "HTTPS://CMS.example.com/race"} {
		status, got := api.call("POST", "/api/v1/articles", `{"url":"`+u+`","title":"Race","summary":"Again.","lists":["news"]}`)
		fields, _ := got["fields"].(map[string]any)
		why := fmt.Sprint(fields["url"])
		if status != http.StatusConflict || got["error"] != "conflict" || !strings.Contains(fmt.Sprint(got["message"]), "deleted") ||
			!strings.Contains(why, "an editor deleted the article at this URL") || !strings.Contains(why, "New article") {
			t.Errorf("POST of the deleted URL %s = %d %v, want 409 conflict saying an editor deleted it and that the admin's New article form brings it back", u, status, got)
		}
	}
	if got := api.article(race); got != nil {
		t.Errorf("the refused POST stored the article: %v", got)
	}
	if status, d := api.call("POST", "/api/v1/digests/run", `{"list":"news"}`); status != http.StatusOK || d["status"] != "no_new_articles" {
		t.Errorf("digest run after the refused POST = %d %v, want 200 no_new_articles", status, d)
	}

	// The editor brings it back on purpose; the CMS's posts then update it.
	a.login("correct horse battery")
	form := url.Values{"csrf": {a.csrfOf("/admin/articles/new")}, "title": {"Race"}, "url": {race}, "summary": {""}, "body": {""},
		"author": {""}, "image_url": {""}, "image_alt": {""}, "published_at": {"2026-11-22T06:30"}, "lists": {"news"}}
	if resp := a.post("/admin/articles", form); resp.StatusCode != http.StatusSeeOther || !articleLocation.MatchString(resp.Header.Get("Location")) {
		t.Fatalf("the New article form with the deleted URL = %d to %q, want 303 to the article brought back", resp.StatusCode, resp.Header.Get("Location"))
	}
	if status, got := api.call("POST", "/api/v1/articles", `{"url":"`+race+`","summary":"Back."}`); status != http.StatusOK || got["summary"] != "Back." {
		t.Errorf("POST of the URL brought back = %d %v, want 200 updating it", status, got)
	}
}
