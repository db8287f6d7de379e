package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestArticleDateGivenIsKeptOrRefused: a published_at given is stored as
// given or refused, never replaced: one before 1900 (the zero time
// 0001-01-01 and the year 0 among them) is a 422 naming published_at, by
// a POST of a new or a stored URL and by a PATCH, which leave the stored
// date alone. Only a published_at not sent dates a new article now; a
// far-future one is kept. The admin's form refuses such a date too.
func TestArticleDateGivenIsKeptOrRefused(t *testing.T) {
	_, a, token, _ := fullServerDB(t)
	api := &articleAPI{t: t, base: a.base, token: token}
	const dated = "2026-11-20T07:00:00Z"
	status, stored := api.call("POST", "/api/v1/articles", `{"url":"`+bridgeURL+`","title":"Bridge reopens","published_at":"`+dated+`","lists":["news"]}`)
	if status != http.StatusCreated {
		t.Fatalf("POST = %d %v, want 201", status, stored)
	}
	path := fmt.Sprintf("/api/v1/articles/%v", stored["id"])

	for _, at := range []string{"0001-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "1899-12-31T23:59:59Z", "1900-01-01T00:59:59+01:00"} {
		for _, call := range []struct{ method, path, body string }{
			{"POST", "/api/v1/articles", `{"url":"https://news.example/old","title":"Old","published_at":"` + at + `"}`},
			{"POST", "/api/v1/articles", `{"url":"` + bridgeURL + `","published_at":"` + at + `"}`},
			{"PATCH", path, `{"published_at":"` + at + `"}`},
		} {
			status, got := api.call(call.method, call.path, call.body)
			fields, _ := got["fields"].(map[string]any)
			why := fmt.Sprint(fields["published_at"])
			if status != http.StatusUnprocessableEntity || len(fields) != 1 || !strings.Contains(why, "1900") || !strings.Contains(why, "2026-12-01T09:00:00Z") {
				t.Errorf("%s %s with published_at %s = %d %v, want 422 saying published_at must be from 1900 on", call.method, call.path, at, status, got)
			}
		}
	}
	if got := api.article(bridgeURL); got["published_at"] != dated {
		t.Errorf("published_at after the refused dates = %v, want %s kept", got["published_at"], dated)
	}
	if got := api.article("https://news.example/old"); got != nil {
		t.Errorf("a refused POST stored %v", got)
	}

	for _, tc := range []struct{ body, want string }{
		{`{"url":"https://news.example/1900","title":"1900","published_at":"1900-01-01T00:00:00Z"}`, "1900-01-01T00:00:00Z"},
		{`{"url":"https://news.example/far","title":"Far","published_at":"9999-12-31T23:59:59Z"}`, "9999-12-31T23:59:59Z"},
	} {
		if status, got := api.call("POST", "/api/v1/articles", tc.body); status != http.StatusCreated || got["published_at"] != tc.want {
			t.Errorf("POST %s = %d %v, want 201 dated %s", tc.body, status, got, tc.want)
		}
	}
	before := time.Now().Add(-time.Minute)
	status, got := api.call("POST", "/api/v1/articles", `{"url":"https://news.example/now","title":"Now"}`)
	if at, err := time.Parse(time.RFC3339, fmt.Sprint(got["published_at"])); status != http.StatusCreated || err != nil || at.Before(before) {
		t.Errorf("POST without published_at = %d %v, want 201 dated now", status, got)
	}
	if status, got := api.call("PATCH", path, `{"title":"Bridge reopens at last"}`); status != http.StatusOK || got["published_at"] != dated {
		t.Errorf("PATCH without published_at = %d %v, want 200 keeping %s", status, got, dated)
	}

	a.login("correct horse battery")
	form := url.Values{"csrf": {a.csrfOf("/admin/articles/new")}, "title": {"Old"}, "url": {"https://news.example/old"}, "summary": {""}, "body": {""},
		"author": {""}, "image_url": {""}, "image_alt": {""}, "published_at": {"0001-01-01T00:00"}}
	if resp, body := a.postBody("/admin/articles", form); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-published_at"`) {
		t.Errorf("the New article form dated 0001-01-01 = %d, want 422 with published_at's error:\n%s", resp.StatusCode, body)
	}
}
