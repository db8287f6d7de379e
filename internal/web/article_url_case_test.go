package web

import (
	"net/http"
	"testing"
)

// The article API takes a URL's scheme and host in any case as the same
// article, stored with them in lower case; the path keeps its case.
func TestArticleAPIURLHostCase(t *testing.T) {
	_, api := newArticleAPI(t)
	code, first := api.call("POST", "/api/v1/articles", `{"title":"Bridge","url":"https://News.Example/Bridge","lists":["news"]}`)
	if code != http.StatusCreated || first["url"] != "https://news.example/Bridge" {
		t.Fatalf("first POST = %d %v, want 201 with https://news.example/Bridge", code, first)
	}
	code, again := api.call("POST", "/api/v1/articles", `{"title":"Bridge reopens","url":"HTTPS://NEWS.EXAMPLE/Bridge"}`)
	if code != http.StatusOK || again["id"] != first["id"] || again["title"] != "Bridge reopens" {
		t.Errorf("POST in capitals = %d %v, want 200 with article %v updated", code, again, first["id"])
	}
	if code, other := api.call("POST", "/api/v1/articles", `{"title":"Other","url":"https://news.example/bridge"}`); code != http.StatusCreated || other["id"] == first["id"] {
		t.Errorf("POST of the path in lower case = %d %v, want 201, another article", code, other)
	}
}
