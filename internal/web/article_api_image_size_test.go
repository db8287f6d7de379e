package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestArticleImageSizeAPI: the API takes an image's size on POST and
// PATCH and answers it on every article, 0 by 0 when unknown; a new image
// URL without a size makes it unknown; bad sizes are refused by field;
// every request and answer is as internal/web/openapi.json says; and the
// digest, in the archive, shows the image at its size.
func TestArticleImageSizeAPI(t *testing.T) {
	_, a, token, db := fullServerDB(t)
	call := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		status, raw := callDocumented(t, a, token, method, path, body)
		var out map[string]any
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s answered %d with no JSON object: %s", method, path, status, raw)
		}
		return status, out
	}
	size := func(a map[string]any) string { return fmt.Sprintf("%vx%v", a["image_width"], a["image_height"]) }

	status, lighthouse := call("POST", "/api/v1/articles", `{"title":"Lighthouse repainted","url":"https://news.example/lighthouse",
		"image_url":"https://img.news.example/lighthouse.jpg","image_alt":"The lighthouse","image_width":1200,"image_height":800,"lists":["news"]}`)
	if status != http.StatusCreated || size(lighthouse) != "1200x800" {
		t.Fatalf("POST with a size = %d %v, want 201 with 1200x800", status, lighthouse)
	}
	status, plain := call("POST", "/api/v1/articles", `{"title":"Tide tables","url":"https://news.example/tides","lists":["news"]}`)
	if status != http.StatusCreated || size(plain) != "0x0" {
		t.Fatalf("POST without an image = %d %v, want 201 with 0x0 (unknown) answered", status, plain)
	}
	_, page := call("GET", "/api/v1/articles?list=news", "")
	var sizes []string
	for _, it := range page["items"].([]any) {
		sizes = append(sizes, size(it.(map[string]any)))
	}
	if diff := cmp.Diff([]string{"1200x800", "0x0"}, sizes); diff != "" {
		t.Errorf("listed sizes (-want +got):\n%s", diff)
	}

	lighthousePath := fmt.Sprintf("/api/v1/articles/%v", lighthouse["id"])
	plainPath := fmt.Sprintf("/api/v1/articles/%v", plain["id"])
	for _, tt := range []struct {
		path, body string
		want       map[string]string
	}{
		{lighthousePath, `{"image_width":20000}`, map[string]string{
			"image_width": "give the image's width in pixels, a whole number from 1 to 10000, or leave it empty"}},
		{lighthousePath, `{"image_width":12.5,"image_height":"40"}`, map[string]string{
			"image_width": "must be a whole number", "image_height": "must be a whole number"}},
		{lighthousePath, `{"image_width":0}`, map[string]string{
			"image_width": "give the image's width too, or neither: a digest needs both to keep its shape"}},
		{plainPath, `{"image_width":120,"image_height":40}`, map[string]string{
			"image_width":  "give the image's width only with its URL, or leave it empty",
			"image_height": "give the image's height only with its URL, or leave it empty"}},
	} {
		status, got := call("PATCH", tt.path, tt.body)
		if diff := cmp.Diff(tt.want, fieldsOf(got)); status != http.StatusUnprocessableEntity || diff != "" {
			t.Errorf("PATCH %s = %d, want 422; fields (-want +got):\n%s", tt.body, status, diff)
		}
	}

	for _, st := range []struct{ body, want string }{
		{`{"image_alt":"The lighthouse in red"}`, "1200x800"},
		{`{"image_url":"https://img.news.example/crab.png"}`, "0x0"},
		{`{"image_width":120,"image_height":40}`, "120x40"},
	} {
		status, got := call("PATCH", lighthousePath, st.body)
		if status != http.StatusOK || size(got) != st.want {
			t.Errorf("PATCH %s = %d %v, want 200 with %s", st.body, status, got, st.want)
		}
	}
	status, again := call("POST", "/api/v1/articles", `{"title":"Lighthouse repainted","url":"https://news.example/lighthouse","image_url":"https://img.news.example/lighthouse-2.jpg","image_width":1600,"image_height":900}`)
	if status != http.StatusOK || size(again) != "1600x900" {
		t.Errorf("POST of a stored URL with a new image and size = %d %v, want 200 with 1600x900", status, again)
	}

	status, d := call("POST", "/api/v1/digests/run", `{"list":"news"}`)
	if status != http.StatusCreated {
		t.Fatalf("digest run = %d %v, want 201", status, d)
	}
	markSent(t, db, d["id"])
	issue := getPage(t, fmt.Sprintf("%s/archive/%v", a.base, d["id"]))
	for _, want := range []string{
		`<img src="https://img.news.example/lighthouse-2.jpg" width="536" height="302" alt="The lighthouse in red" style="width:100%;max-width:536px;height:auto;`,
	} {
		if !strings.Contains(issue, want) {
			t.Errorf("the archived digest lacks %s:\n%s", want, issue)
		}
	}
}
