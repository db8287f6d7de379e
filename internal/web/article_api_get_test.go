package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestArticleGetOne: GET /api/v1/articles/{id} answers the article as a
// POST or PATCH of it does, 404 for an id no article has and 422 for one
// that is no id; GET /api/v1/articles lists by ascending id, as its
// document says.
func TestArticleGetOne(t *testing.T) {
	_, api := newArticleAPI(t)
	_, posted := api.call("POST", "/api/v1/articles", `{"title":"Bridge reopens","url":"`+bridgeURL+`","summary":"At last.",
		"image_url":"https://img.news.example/bridge.jpg","image_alt":"The bridge","image_width":1200,"image_height":600,
		"published_at":"2026-11-20T07:00:00Z","lists":["news","sport"]}`)
	path := fmt.Sprintf("/api/v1/articles/%v", posted["id"])
	status, got := api.call("GET", path, "")
	if diff := cmp.Diff(posted, got); status != http.StatusOK || diff != "" {
		t.Errorf("GET %s = %d, want 200 with the POST's answer (-want +got):\n%s", path, status, diff)
	}
	_, patched := api.call("PATCH", path, `{"title":"Bridge reopens at last","lists":["news"]}`)
	status, got = api.call("GET", path, "")
	if diff := cmp.Diff(patched, got); status != http.StatusOK || diff != "" {
		t.Errorf("GET %s after a PATCH = %d, want 200 with the PATCH's answer (-want +got):\n%s", path, status, diff)
	}
	for p, want := range map[string]string{"/api/v1/articles/999": "not_found", "/api/v1/articles/abc": "validation", "/api/v1/articles/0": "validation"} {
		if status, got := api.call("GET", p, ""); status != statusOf[want] || got["error"] != want {
			t.Errorf("GET %s = %d %v, want %d %s", p, status, got, statusOf[want], want)
		}
	}
	api.call("DELETE", path, "")
	if status, got := api.call("GET", path, ""); status != http.StatusNotFound {
		t.Errorf("GET of a deleted article = %d %v, want 404", status, got)
	}

	var ids []float64
	// Added in an order neither their dates' nor their URLs'.
	for _, a := range []struct{ url, at string }{
		{"https://news.example/c", "2026-11-23T07:00:00Z"}, {"https://news.example/a", "2026-11-21T07:00:00Z"}, {"https://news.example/b", "2026-11-22T07:00:00Z"},
	} {
		status, got := api.call("POST", "/api/v1/articles", `{"title":"T","url":"`+a.url+`","published_at":"`+a.at+`"}`)
		if status != http.StatusCreated {
			t.Fatalf("POST %s = %d %v", a.url, status, got)
		}
		ids = append(ids, got["id"].(float64))
	}
	_, page := api.call("GET", "/api/v1/articles", "")
	var listed []float64
	for _, it := range page["items"].([]any) {
		listed = append(listed, it.(map[string]any)["id"].(float64))
	}
	if diff := cmp.Diff(ids, listed); diff != "" {
		t.Errorf("GET /api/v1/articles ids (-want +got):\n%s", diff)
	}
	if d := loadOpenAPI(t).Paths.Value("/api/v1/articles").Get.Description; !strings.Contains(d, "ascending `id`") {
		t.Errorf("the document does not say GET /api/v1/articles lists by ascending id: %q", d)
	}
}
