package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

// articleAPI calls the JSON API of fullServer with its token.
type articleAPI struct {
	t     *testing.T
	base  string
	token string
}

// newArticleAPI is a server wired as fullServer (list "news" with reader
// 1 on it, digests and the archive) with a second list, "sport", and the
// database underneath.
func newArticleAPI(t *testing.T) (*sqlite.DB, *articleAPI) {
	t.Helper()
	ctx := context.Background()
	q := queuetest.Embedded(t)
	out, err := mailer.NewOutbox(filepath.Join(t.TempDir(), "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	var db *sqlite.DB
	s, a := newAdminServerWith(t, func(s *Server, d *sqlite.DB) {
		db = d
		secret := []byte("0123456789abcdef0123456789abcdef")
		s.Subscribers.SetSecret(secret)
		s.Campaigns = testCampaigns(s, db, q, out, secret)
		s.SubscriberDeps = SubscriberDeps{Signer: subscribers.NewSigner(secret), Pages: s.Templates}
		s.DigestDeps = DigestDeps{Digests: s.Campaigns, Archive: s.Campaigns.Store}
	})
	for _, l := range []*subscribers.List{{Slug: "news", Name: "News", Public: true, Digest: "daily"}, {Slug: "sport", Name: "Sport"}} {
		if err := s.Subscribers.CreateList(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Subscribers.Create(ctx, &subscribers.NewSubscriber{Email: "ada@example.com", Name: "Ada", Status: "confirmed", Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	token, err := s.Admins.CreateToken(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	return db, &articleAPI{t: t, base: a.base, token: token}
}

// call sends body (JSON, or nothing when "") and returns the status and
// the answer decoded as a JSON object.
func (c *articleAPI) call(method, path, body string) (int, map[string]any) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			c.t.Fatalf("%s %s answered %d with no JSON object: %s", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, out
}

// article is the stored state of the article of url, by the list API.
func (c *articleAPI) article(url string) map[string]any {
	c.t.Helper()
	_, page := c.call("GET", "/api/v1/articles?limit=500", "")
	items, _ := page["items"].([]any)
	for _, it := range items {
		if a := it.(map[string]any); a["url"] == url {
			return a
		}
	}
	return nil
}

const bridgeURL = "https://news.example/bridge"

var cmpSorted = cmpopts.SortSlices(func(a, b string) bool { return a < b })

// TestArticlePostUpdatesOnlyTheFieldsGiven: a second POST of a URL changes
// the fields it gives, a blank one included, keeps the others, adds lists,
// and answers 200 with the stored article.
func TestArticlePostUpdatesOnlyTheFieldsGiven(t *testing.T) {
	_, api := newArticleAPI(t)
	status, created := api.call("POST", "/api/v1/articles", `{"title":"Bridge reopens","url":"`+bridgeURL+`","summary":"At last.",
		"body":"The **bridge** is open.","author":"Maren Holt","image_url":"https://img.news.example/bridge.jpg","image_alt":"The bridge at dusk",
		"published_at":"2026-11-20T07:00:00Z","lists":["news"]}`)
	if status != http.StatusCreated {
		t.Fatalf("first POST = %d %v, want 201", status, created)
	}
	want := map[string]any{"id": created["id"], "title": "Bridge reopens", "url": bridgeURL, "summary": "At last.", "body": "The **bridge** is open.",
		"author": "Maren Holt", "image_url": "https://img.news.example/bridge.jpg", "image_alt": "The bridge at dusk",
		"image_width": float64(0), "image_height": float64(0), "published_at": "2026-11-20T07:00:00Z", "lists": []any{"news"}}
	if diff := cmp.Diff(want, created); diff != "" {
		t.Errorf("created article (-want +got):\n%s", diff)
	}

	steps := []struct {
		name, body string
		change     map[string]any
	}{
		{"one field", `{"url":"` + bridgeURL + `","summary":"Open again after eight months."}`,
			map[string]any{"summary": "Open again after eight months."}},
		{"a blank field is given, an absent one is not", `{"url":"` + bridgeURL + `","author":"","lists":["sport"]}`,
			map[string]any{"author": "", "lists": []any{"news", "sport"}}},
		{"the date", `{"url":"` + bridgeURL + `","published_at":"2026-11-21T08:30:00+01:00"}`,
			map[string]any{"published_at": "2026-11-21T07:30:00Z"}},
		{"the image goes", `{"url":"` + bridgeURL + `","image_url":"","image_alt":""}`,
			map[string]any{"image_url": "", "image_alt": ""}},
	}
	for _, st := range steps {
		for k, v := range st.change {
			want[k] = v
		}
		status, got := api.call("POST", "/api/v1/articles", st.body)
		if status != http.StatusOK {
			t.Fatalf("%s: POST = %d %v, want 200", st.name, status, got)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: answer (-want +got):\n%s", st.name, diff)
		}
		if diff := cmp.Diff(want, api.article(bridgeURL)); diff != "" {
			t.Errorf("%s: stored article (-want +got):\n%s", st.name, diff)
		}
	}

	// An update is checked like a create: a blank title is refused, and
	// nothing changes.
	status, got := api.call("POST", "/api/v1/articles", `{"url":"`+bridgeURL+`","title":" ","summary":"Not saved."}`)
	if fields, _ := got["fields"].(map[string]any); status != http.StatusUnprocessableEntity || fields["title"] == nil {
		t.Errorf("POST with a blank title = %d %v, want 422 naming title", status, got)
	}
	if diff := cmp.Diff(want, api.article(bridgeURL)); diff != "" {
		t.Errorf("a refused POST changed the article (-want +got):\n%s", diff)
	}
	// A new URL still needs its title.
	status, got = api.call("POST", "/api/v1/articles", `{"url":"https://news.example/new","summary":"No title."}`)
	if fields, _ := got["fields"].(map[string]any); status != http.StatusUnprocessableEntity || fields["title"] == nil {
		t.Errorf("POST of a new URL without a title = %d %v, want 422 naming title", status, got)
	}
}

func TestArticlePatch(t *testing.T) {
	_, api := newArticleAPI(t)
	_, a := api.call("POST", "/api/v1/articles", `{"title":"Bridge reopens","url":"`+bridgeURL+`","summary":"At last.","author":"Maren Holt",
		"published_at":"2026-11-20T07:00:00Z","lists":["news"]}`)
	_, other := api.call("POST", "/api/v1/articles", `{"title":"Storm warning","url":"https://news.example/storm","lists":["news"]}`)
	path := fmt.Sprintf("/api/v1/articles/%v", a["id"])

	status, got := api.call("PATCH", path, `{"title":"Bridge reopens at last","image_url":"https://img.news.example/b.jpg","image_alt":"A bridge"}`)
	want := map[string]any{}
	for k, v := range a {
		want[k] = v
	}
	want["title"], want["image_url"], want["image_alt"] = "Bridge reopens at last", "https://img.news.example/b.jpg", "A bridge"
	if status != http.StatusOK {
		t.Fatalf("PATCH = %d %v", status, got)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PATCH answer (-want +got):\n%s", diff)
	}
	// lists in a PATCH is the article's whole membership.
	status, got = api.call("PATCH", path, `{"lists":["sport"],"url":"https://news.example/bridge-reopens"}`)
	want["lists"], want["url"] = []any{"sport"}, "https://news.example/bridge-reopens"
	if diff := cmp.Diff(want, got); status != http.StatusOK || diff != "" {
		t.Errorf("PATCH lists and url = %d (-want +got):\n%s", status, diff)
	}
	if diff := cmp.Diff(want, api.article("https://news.example/bridge-reopens")); diff != "" {
		t.Errorf("stored after PATCH (-want +got):\n%s", diff)
	}

	bad := []struct {
		name, body string
		status     int
		fields     []string
	}{
		{"every bad field named", `{"title":"","url":"ftp://news.example/x","image_url":"http://img.news.example/b.jpg","lists":["nope"]}`, 422, []string{"image_url", "lists", "title", "url"}},
		{"a date that is not one", `{"published_at":"tomorrow"}`, 422, []string{"published_at"}},
		{"another article's URL", `{"url":"https://news.example/storm"}`, 409, []string{"url"}},
	}
	for _, b := range bad {
		status, got := api.call("PATCH", path, b.body)
		var fields []string
		gotFields, _ := got["fields"].(map[string]any)
		for f := range gotFields {
			fields = append(fields, f)
		}
		if diff := cmp.Diff(b.fields, fields, cmpSorted); status != b.status || diff != "" {
			t.Errorf("%s: PATCH = %d %v, want %d with fields (-want +got):\n%s", b.name, status, got, b.status, diff)
		}
	}
	if diff := cmp.Diff(want, api.article("https://news.example/bridge-reopens")); diff != "" {
		t.Errorf("refused PATCHes changed the article (-want +got):\n%s", diff)
	}
	if got := api.article("https://news.example/storm"); got["id"] != other["id"] || got["title"] != "Storm warning" {
		t.Errorf("the other article changed: %v", got)
	}
	for p, want := range map[string]string{"/api/v1/articles/999": "not_found", "/api/v1/articles/abc": "validation", "/api/v1/articles/0": "validation"} {
		if status, got := api.call("PATCH", p, `{"title":"x"}`); status != statusOf[want] || got["error"] != want {
			t.Errorf("PATCH %s = %d %v, want %d %s", p, status, got, statusOf[want], want)
		}
	}
}

func TestArticleDelete(t *testing.T) {
	_, api := newArticleAPI(t)
	_, a := api.call("POST", "/api/v1/articles", `{"title":"Bridge reopens","url":"`+bridgeURL+`","lists":["news"]}`)
	path := fmt.Sprintf("/api/v1/articles/%v", a["id"])
	if status, got := api.call("DELETE", path, ""); status != http.StatusNoContent || got != nil {
		t.Fatalf("DELETE = %d %v, want 204 and no body", status, got)
	}
	if got := api.article(bridgeURL); got != nil {
		t.Errorf("deleted article still listed: %v", got)
	}
	if status, _ := api.call("DELETE", path, ""); status != http.StatusNotFound {
		t.Errorf("second DELETE = %d, want 404", status)
	}
	if status, _ := api.call("PATCH", path, `{"title":"x"}`); status != http.StatusNotFound {
		t.Errorf("PATCH of a deleted article = %d, want 404", status)
	}
	// A post of its URL does not bring it back (TestArticlePostOfDeletedURL).
	if status, _ := api.call("POST", "/api/v1/articles", `{"title":"Bridge reopens","url":"`+bridgeURL+`"}`); status != http.StatusConflict {
		t.Errorf("POST of the URL again = %d, want 409", status)
	}
}

// TestArticleImageIsHTTPSOnly: an image URL must be https, or the article
// is refused with a reason for image_url; Bulletin never fetches it.
func TestArticleImageIsHTTPSOnly(t *testing.T) {
	_, api := newArticleAPI(t)
	tests := []struct {
		image string
		ok    bool
	}{
		{"https://img.news.example/bridge.jpg", true},
		{"HTTPS://img.news.example/bridge.jpg?w=1200&h=600", true},
		{"", true},
		{"http://img.news.example/bridge.jpg", false},
		{"//img.news.example/bridge.jpg", false},
		{"/bridge.jpg", false},
		{"https://", false},
		{"javascript:alert(1)", false},
		{"data:image/png;base64,iVBORw0KGgo=", false},
		{"https://user:pass@img.news.example/bridge.jpg", false},
		{"https://img.news.example/" + strings.Repeat("a", 2000), false},
	}
	for i, tc := range tests {
		body, _ := json.Marshal(map[string]any{"title": "Bridge", "url": fmt.Sprintf("https://news.example/%d", i), "image_url": tc.image, "image_alt": "A bridge"})
		status, got := api.call("POST", "/api/v1/articles", string(body))
		fields, _ := got["fields"].(map[string]any)
		switch {
		case tc.ok && status != http.StatusCreated:
			t.Errorf("image_url %q = %d %v, want 201", tc.image, status, got)
		case !tc.ok && (status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(fields["image_url"]), "https")):
			t.Errorf("image_url %q = %d %v, want 422 saying image_url must be https", tc.image, status, got)
		}
	}
}
