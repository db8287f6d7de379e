package web

import (
	"context"
	"html"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// A URL another article has is named with the article's other faults, in
// the new and edit forms and in the API's PATCH: the form named only the
// fields (or, for a new article whose image size was refused, only the
// URL), and the editor learnt of the rest on the next save.
func TestArticleTakenURLNamedWithTheOtherFaults(t *testing.T) {
	s, a, byTitle := adminArticles(t)
	ctx := context.Background()
	bridge := strconv.FormatInt(byTitle["Bridge reopens"].ID, 10)
	storm := strconv.FormatInt(byTitle["Storm warning"].ID, 10)
	taken := `The article “<a href="/admin/articles/` + bridge + `">Bridge reopens</a>” has this URL already`
	for _, tc := range []struct {
		name, path, field, published, width string
	}{
		{"new, bad date", "/admin/articles", "published_at", "2026-13-40T10:00", ""},
		{"new, bad image size", "/admin/articles", "image_width", "2026-11-22T06:30", "-3"},
		{"edit, bad date", "/admin/articles/" + storm, "published_at", "garbage", ""},
		{"edit, bad image size", "/admin/articles/" + storm, "image_width", "2026-11-22T06:30", "-3"},
	} {
		form := map[string][]string{"csrf": {a.csrfOf("/admin/articles/new")}, "title": {"Ferry timetable"}, "url": {"https://news.example/bridge"},
			"summary": {"Winter times."}, "body": {"x"}, "image_url": {"https://news.example/ferry.png"}, "image_alt": {"A ferry"},
			"image_width": {tc.width}, "image_height": {""}, "published_at": {tc.published}, "lists": {"news"}}
		resp, raw := a.postBody(tc.path, form)
		body := html.UnescapeString(raw)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(raw, taken) || !strings.Contains(body, `id="err-`+tc.field+`"`) {
			t.Errorf("%s: POST = %d, want 422 naming the URL taken (%q) and %s:\n%s", tc.name, resp.StatusCode, taken, tc.field, body)
		}
	}
	// A fault only the save finds (a list gone meanwhile) is named with
	// the URL taken too: that save answered 409 with the URL alone.
	form := map[string][]string{"csrf": {a.csrfOf("/admin/articles/new")}, "title": {"Ferry timetable"}, "url": {"https://news.example/bridge"},
		"summary": {"Winter times."}, "body": {"x"}, "published_at": {"2026-11-22T06:30"}, "lists": {"gone"}}
	if resp, raw := a.postBody("/admin/articles", form); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(raw, taken) || !strings.Contains(raw, `id="err-lists"`) {
		t.Errorf("new, a list gone: POST = %d, want 422 naming the URL taken and the list:\n%s", resp.StatusCode, raw)
	}
	if got, _ := s.Articles.Get(ctx, byTitle["Storm warning"].ID); got.Title != "Storm warning" || got.URL != "https://news.example/storm" {
		t.Errorf("the refused forms changed the stored article: %+v", got)
	}

	token, err := s.Admins.CreateToken(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		`{"url":"https://news.example/bridge","image_width":-3}`,
		`{"url":"https://news.example/bridge","published_at":"2026-02-30T10:00:00Z"}`,
	} {
		code, got := apiCall(t, a.base, token, "PATCH", "/api/v1/articles/"+storm, body)
		fields, _ := got["fields"].(map[string]any)
		if why, _ := fields["url"].(string); code != http.StatusUnprocessableEntity || len(fields) != 2 || !strings.Contains(why, "has this URL already") {
			t.Errorf("PATCH %s = %d %v, want 422 naming the URL taken with the other fault", body, code, got)
		}
	}
}

// The article form says of a date that does not exist what the API says
// of it, not that it is before 1900.
func TestArticleFormSaysTheDateDoesNotExist(t *testing.T) {
	_, a, _ := adminArticles(t)
	for published, want := range map[string]string{
		"2026-02-30T10:00": "2026-02-30 does not exist (February 2026 has 28 days): give a date that does, like 2026-12-01T09:00 (UTC)",
		"2026-13-01T10:00": "2026-13-01 does not exist (there is no month 13)",
		"2026-12-01T25:00": "25:00 is no time of day",
		"1850-01-01T10:00": "Give a date and time from 1900 on",
		"garbage":          "Give a date and time from 1900 on",
	} {
		form := map[string][]string{"csrf": {a.csrfOf("/admin/articles/new")}, "title": {"Ferry timetable"}, "url": {"https://news.example/ferry"},
			"summary": {"Winter times."}, "body": {"x"}, "published_at": {published}, "lists": {"news"}}
		resp, raw := a.postBody("/admin/articles", form)
		body := html.UnescapeString(raw)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, want) {
			t.Errorf("published_at %s = %d, want 422 saying %q:\n%s", published, resp.StatusCode, want, body)
		}
	}
}
