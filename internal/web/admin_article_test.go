package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/subscribers"
)

// adminArticles is an admin test server with lists news and sport and
// three articles; it returns them by title.
func adminArticles(t *testing.T) (*Server, *adminClient, map[string]*articles.Article) {
	t.Helper()
	ctx := context.Background()
	s, a := newAdminServer(t)
	for _, l := range []*subscribers.List{{Slug: "news", Name: "News"}, {Slug: "sport", Name: "Sport"}} {
		if err := s.Subscribers.CreateList(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	day := time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC)
	byTitle := map[string]*articles.Article{}
	for _, ar := range []*articles.Article{
		{Title: "Bridge reopens", URL: "https://news.example/bridge", Summary: "Open again after eight months.", Author: "Ívar Lindqvist", PublishedAt: day, Lists: []string{"news"}},
		{Title: "Storm warning", URL: "https://news.example/storm", Summary: "Gales along the coast tonight.", Author: "Maren Holt", PublishedAt: day.Add(24 * time.Hour), Lists: []string{"news"}},
		{Title: "Harbour league final", URL: "https://news.example/league", Summary: "The ferrymen win on penalties.", PublishedAt: day.Add(-24 * time.Hour), Lists: []string{"sport"}},
	} {
		if _, err := s.Articles.Save(ctx, ar); err != nil {
			t.Fatal(err)
		}
		byTitle[ar.Title] = ar
	}
	a.login("correct horse battery")
	return s, a, byTitle
}

var articleRow = regexp.MustCompile(`<a href="/admin/articles/(\d+)">([^<]+)</a>`)

// rowTitles are the titles of the articles page's rows, in order, each
// checked to link to its own edit page.
func rowTitles(t *testing.T, body string, byTitle map[string]*articles.Article) []string {
	t.Helper()
	var got []string
	for _, m := range articleRow.FindAllStringSubmatch(body, -1) {
		title := html.UnescapeString(m[2])
		if a := byTitle[title]; a == nil || fmt.Sprint(a.ID) != m[1] {
			t.Errorf("row %q links to article %s", title, m[1])
		}
		got = append(got, title)
	}
	return got
}

func TestAdminArticlesNewestFirstSearchAndFilter(t *testing.T) {
	_, a, byTitle := adminArticles(t)
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"Storm warning", "Bridge reopens", "Harbour league final"}},
		{"?q=STORM", []string{"Storm warning"}},                  // title, any case
		{"?q=penalties", []string{"Harbour league final"}},       // summary
		{"?q=news.example%2Fbridge", []string{"Bridge reopens"}}, // URL
		{"?q=holt", []string{"Storm warning"}},                   // author
		{"?q=%C3%ADvar", []string{"Bridge reopens"}},             // "ívar" finds "Ívar": case folds beyond ASCII
		{"?q=%25", nil}, // a LIKE wildcard is only a character
		{"?list=sport", []string{"Harbour league final"}}, // list filter
		{"?list=news&q=gales", []string{"Storm warning"}}, // both
		{"?q=nothing+like+it", nil},
	}
	for _, tc := range tests {
		resp, body := a.get("/admin/articles" + tc.query)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /admin/articles%s = %d", tc.query, resp.StatusCode)
		}
		if diff := cmp.Diff(tc.want, rowTitles(t, body, byTitle)); diff != "" {
			t.Errorf("GET /admin/articles%s rows (-want +got):\n%s", tc.query, diff)
		}
	}
	_, body := a.get("/admin/articles?q=holt&list=news")
	for _, want := range []string{`name="q" value="holt"`, `<option value="news" selected>`, `data-label="Published"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the filtered page lacks %s", want)
		}
	}
	if strings.Contains(layoutScriptFree(body), "<script") || strings.Contains(body, "onclick") {
		t.Error("the articles page has an inline script; the admin CSP would block it")
	}
}

func TestAdminArticleEdit(t *testing.T) {
	s, a, byTitle := adminArticles(t)
	bridge := byTitle["Bridge reopens"]
	page := fmt.Sprintf("/admin/articles/%d", bridge.ID)

	resp, body := a.get(page)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", page, resp.StatusCode)
	}
	for _, want := range []string{`value="Bridge reopens"`, `value="https://news.example/bridge"`, `value="2026-11-20T07:00"`,
		`name="lists" value="news" checked`, `name="lists" value="sport">`, `name="image_url"`, `name="image_alt"`, `action="` + page + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("edit page lacks %s", want)
		}
	}
	token := a.csrfOf(page)
	form := url.Values{"csrf": {token}, "title": {"Bridge reopens at last"}, "url": {"https://news.example/bridge-reopens"},
		"summary": {"Open again."}, "body": {"The **swing bridge** carries traffic again."}, "author": {"Ívar L."},
		"image_url": {"https://img.news.example/bridge.jpg"}, "image_alt": {"The bridge at dusk"},
		"published_at": {"2026-11-21T09:30"}, "lists": {"news", "sport"}}

	noCSRF := url.Values{}
	for k, v := range form {
		noCSRF[k] = v
	}
	noCSRF.Del("csrf")
	if resp := a.post(page, noCSRF); resp.StatusCode != http.StatusForbidden {
		t.Errorf("save without csrf = %d, want 403", resp.StatusCode)
	}

	// Bad fields: the form again, what was typed kept, each error by its field.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("title", "")
	bad.Set("image_url", "http://img.news.example/bridge.jpg")
	bad.Set("published_at", "next week")
	resp, body = a.postBody(page, bad)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("save with bad fields = %d, want 422", resp.StatusCode)
	}
	// The heading names the article as stored, not the title just refused.
	if stored, err := s.Articles.Get(context.Background(), bridge.ID); err != nil || !strings.Contains(body, `anywhere">`+stored.Title+`</h1>`) {
		t.Errorf("refused form's heading is not the stored title (%v):\n%s", err, body)
	}
	for _, want := range []string{`id="err-title"`, `id="err-image_url"`, `id="err-published_at"`, `value="http://img.news.example/bridge.jpg"`,
		`value="next week"`, `value="The bridge at dusk"`, "https"} {
		if !strings.Contains(body, want) {
			t.Errorf("refused form lacks %s:\n%s", want, body)
		}
	}
	// Another article's URL is refused next to the URL field.
	dup := url.Values{}
	for k, v := range form {
		dup[k] = v
	}
	dup.Set("url", "https://news.example/storm")
	resp, body = a.postBody(page, dup)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, `id="err-url"`) {
		t.Errorf("save with another article's URL = %d, want 409 with the error by the URL:\n%s", resp.StatusCode, body)
	}
	if got := mustList(t, s, "sport"); len(got) != 1 {
		t.Fatalf("refused saves changed the lists: %v", got)
	}

	resp = a.post(page, form)
	checkFlashRedirect(t, "save", resp, page, "saved")
	got := findArticle(t, s, bridge.ID)
	want := &articles.Article{ID: bridge.ID, Title: "Bridge reopens at last", URL: "https://news.example/bridge-reopens", Summary: "Open again.",
		Body: "The **swing bridge** carries traffic again.", Author: "Ívar L.", ImageURL: "https://img.news.example/bridge.jpg", ImageAlt: "The bridge at dusk",
		PublishedAt: time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC), Lists: []string{"news", "sport"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("saved article (-want +got):\n%s", diff)
	}
	_, body = a.get(page)
	if bannerOf(body) != "Saved." || !strings.Contains(body, `value="Bridge reopens at last"`) {
		t.Errorf("the page after saving lacks the flash or the new title:\n%s", body)
	}
	// Unticking every list takes the article out of them all.
	form.Del("lists")
	if resp := a.post(page, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save without lists = %d", resp.StatusCode)
	}
	if got := findArticle(t, s, bridge.ID); len(got.Lists) != 0 {
		t.Errorf("lists after unticking all = %v, want none", got.Lists)
	}

	for _, p := range []string{"/admin/articles/999", "/admin/articles/abc"} {
		if resp, _ := a.get(p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, resp.StatusCode)
		}
	}
}

func TestAdminArticleDelete(t *testing.T) {
	s, a, byTitle := adminArticles(t)
	storm := byTitle["Storm warning"]
	page := fmt.Sprintf("/admin/articles/%d", storm.ID)
	_, body := a.get(page)
	if !strings.Contains(body, `href="`+page+`/delete"`) {
		t.Errorf("edit page has no link to the delete step:\n%s", body)
	}
	resp, body := a.get(page + "/delete")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Storm warning") || !strings.Contains(body, `action="`+page+`/delete"`) {
		t.Fatalf("GET %s/delete = %d, want the confirm page:\n%s", page, resp.StatusCode, body)
	}
	if findArticle(t, s, storm.ID) == nil {
		t.Fatal("the confirm page deleted the article")
	}
	if resp := a.post(page+"/delete", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("delete without csrf = %d, want 403", resp.StatusCode)
	}
	token := a.csrfOf(page + "/delete")
	resp = a.post(page+"/delete", url.Values{"csrf": {token}})
	checkFlashRedirect(t, "delete", resp, "/admin/articles", "article-deleted")
	if findArticle(t, s, storm.ID) != nil {
		t.Error("the article is still there")
	}
	_, body = a.get("/admin/articles")
	if !strings.Contains(body, "Article deleted.") || strings.Contains(body, "Storm warning") {
		t.Errorf("the articles page after the delete:\n%s", body)
	}
	if resp, _ := a.get(page + "/delete"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("confirm page of a deleted article = %d, want 404", resp.StatusCode)
	}
	if resp := a.post(page+"/delete", url.Values{"csrf": {token}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("deleting it again = %d, want 404", resp.StatusCode)
	}
}

// findArticle is article id as the API lists it, or nil.
func findArticle(t *testing.T, s *Server, id int64) *articles.Article {
	t.Helper()
	for _, a := range mustList(t, s, "") {
		if a.ID == id {
			return a
		}
	}
	return nil
}

func mustList(t *testing.T, s *Server, list string) []*articles.Article {
	t.Helper()
	items, _, err := s.Articles.List(context.Background(), articles.Filter{List: list, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return items
}
