package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
)

var articleLocation = regexp.MustCompile(`^/admin/articles/(\d+)$`)

// TestAdminNewArticle adds an article from the Articles page: the form,
// its CSRF token, the API's checks with each error by its field and what
// was typed kept, a URL already stored refused, and the new article
// opened after the save.
func TestAdminNewArticle(t *testing.T) {
	s, a, byTitle := adminArticles(t)
	ctx := context.Background()
	if _, body := a.get("/admin/articles?list=sport"); !strings.Contains(body, `href="/admin/articles/new?list=sport"`) {
		t.Errorf("the Articles page has no New article button:\n%s", body)
	}
	resp, body := a.get("/admin/articles/new?list=sport")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `action="/admin/articles"`) ||
		!strings.Contains(body, `value="sport" checked`) || strings.Contains(body, `value="news" checked`) ||
		!strings.Contains(body, "New article") || strings.Contains(body, "Delete article") {
		t.Fatalf("GET /admin/articles/new = %d, want an empty form ticking sport:\n%s", resp.StatusCode, body)
	}
	csrf := a.csrfOf("/admin/articles/new")
	form := url.Values{"csrf": {csrf}, "title": {"Ferry timetable"}, "url": {"https://news.example/ferry"}, "summary": {"Winter times."},
		"body": {"The **winter** timetable."}, "author": {"Maren Holt"}, "image_url": {""}, "image_alt": {""},
		"published_at": {"2026-11-22T06:30"}, "lists": {"news", "sport"}}

	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Del("csrf")
	if resp := a.post("/admin/articles", bad); resp.StatusCode != http.StatusForbidden {
		t.Errorf("post without csrf = %d, want 403", resp.StatusCode)
	}
	bad.Set("csrf", csrf)
	bad.Set("title", "")
	bad.Set("url", "news.example/ferry")
	resp, body = a.postBody("/admin/articles", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-title"`) || !strings.Contains(body, `id="err-url"`) ||
		!strings.Contains(body, `value="news.example/ferry"`) || !strings.Contains(body, "Winter times.") ||
		!strings.Contains(body, `value="2026-11-22T06:30"`) || !strings.Contains(body, `value="sport" checked`) {
		t.Errorf("post without a title and with a relative URL = %d, want 422 with both errors and the typed values:\n%s", resp.StatusCode, body)
	}
	bad.Set("title", "Ferry timetable")
	bad.Set("url", "https://news.example/bridge")
	resp, body = a.postBody("/admin/articles", bad)
	if want := `The article “<a href="/admin/articles/` + strconv.FormatInt(byTitle["Bridge reopens"].ID, 10) + `">Bridge reopens</a>” has this URL already`; resp.StatusCode != http.StatusConflict || !strings.Contains(body, want) {
		t.Errorf("post with a stored URL = %d, want 409 saying %q:\n%s", resp.StatusCode, want, body)
	}
	if got, _ := s.Articles.Get(ctx, byTitle["Bridge reopens"].ID); got.Title != "Bridge reopens" {
		t.Errorf("the refused form changed the stored article: %+v", got)
	}

	resp = a.post("/admin/articles", form)
	m := articleLocation.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("post = %d to %q, want 303 to the new article", resp.StatusCode, resp.Header.Get("Location"))
	}
	checkFlashRedirect(t, "post", resp, m[0], "saved")
	id, _ := strconv.ParseInt(m[1], 10, 64)
	got, err := s.Articles.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := &articles.Article{ID: id, Title: "Ferry timetable", URL: "https://news.example/ferry", Summary: "Winter times.", Body: "The **winter** timetable.",
		Author: "Maren Holt", PublishedAt: time.Date(2026, 11, 22, 6, 30, 0, 0, time.UTC), Lists: []string{"news", "sport"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored article (-want +got):\n%s", diff)
	}
	if resp, body := a.get("/admin/articles/" + m[1]); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Ferry timetable") {
		t.Errorf("the new article's page = %d:\n%s", resp.StatusCode, body)
	}
}
