package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestAdminArticleImageSize: the article form takes the image's width and
// height, optional, with a hint; a bad side is refused by its field with
// the API's message as a sentence and the form shown again as typed; a
// saved size is shown on the edit page, kept by a save that keeps the
// image, and cleared by emptying both.
func TestAdminArticleImageSize(t *testing.T) {
	s, a, _ := adminArticles(t)
	ctx := context.Background()
	_, body := a.get("/admin/articles/new")
	for _, want := range []string{`name="image_width" value=""`, `name="image_height" value=""`, `inputmode="numeric"`,
		`id="hint-image_size"`, "or as wide as it is when narrower"} {
		if !strings.Contains(body, want) {
			t.Errorf("the new article form lacks %s", want)
		}
	}
	if strings.Contains(body, "digests show it 536 px wide, and") {
		t.Error("the image URL's label still says every image is shown 536 px wide")
	}
	form := url.Values{"csrf": {a.csrfOf("/admin/articles/new")}, "title": {"Crab season opens"}, "url": {"https://news.example/crabs"},
		"summary": {""}, "body": {""}, "author": {""}, "image_url": {"https://img.news.example/crab.png"}, "image_alt": {"A crab"},
		"image_width": {"120"}, "image_height": {"40"}, "published_at": {"2026-11-22T06:30"}, "lists": {"news"}}

	for _, tt := range []struct {
		name, width, height, image string
		want                       map[string]string // field → message
	}{
		{"not a number", "wide", "40", "", map[string]string{
			"image_width": "Give the image's width in pixels, a whole number from 1 to 10000, or leave it empty."}},
		{"a fraction", "120", "40.5", "", map[string]string{
			"image_height": "Give the image's height in pixels, a whole number from 1 to 10000, or leave it empty."}},
		{"too large", "120", "10001", "", map[string]string{
			"image_height": "Give the image's height in pixels, a whole number from 1 to 10000, or leave it empty."}},
		{"width alone", "120", "", "", map[string]string{
			"image_height": "Give the image's height too, or neither: a digest needs both to keep its shape."}},
		{"no image", "120", "40", "-", map[string]string{
			"image_width":  "Give the image's width only with its URL, or leave it empty.",
			"image_height": "Give the image's height only with its URL, or leave it empty."}},
	} {
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("image_width", tt.width)
		bad.Set("image_height", tt.height)
		if tt.image == "-" {
			bad.Set("image_url", "")
		}
		resp, body := a.postBody("/admin/articles", bad)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: post = %d, want 422", tt.name, resp.StatusCode)
		}
		for field, msg := range tt.want {
			want := fmt.Sprintf(`<p class="error" id="err-%s">%s</p>`, field, html.EscapeString(msg))
			if !strings.Contains(body, want) {
				t.Errorf("%s: the form lacks %s:\n%s", tt.name, want, body)
			}
		}
		for _, f := range []string{"image_width", "image_height"} {
			if _, ok := tt.want[f]; !ok && strings.Contains(body, `id="err-`+f+`"`) {
				t.Errorf("%s: %s is said to be at fault", tt.name, f)
			}
		}
		for _, want := range []string{`name="image_width" value="` + html.EscapeString(tt.width) + `"`,
			`name="image_height" value="` + html.EscapeString(tt.height) + `"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the form shown again lacks %s", tt.name, want)
			}
		}
	}

	// A bad date is said with the bad size, not before it.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("published_at", "soon")
	bad.Set("image_width", "x")
	if resp, body := a.postBody("/admin/articles", bad); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `id="err-published_at"`) || !strings.Contains(body, `id="err-image_width"`) {
		t.Errorf("post with a bad date and width = %d, want 422 naming both:\n%s", resp.StatusCode, body)
	}

	resp := a.post("/admin/articles", form)
	m := articleLocation.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("post = %d to %q, want 303 to the new article", resp.StatusCode, resp.Header.Get("Location"))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	size := func() string {
		t.Helper()
		got, err := s.Articles.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%dx%d", got.ImageWidth, got.ImageHeight)
	}
	if got := size(); got != "120x40" {
		t.Errorf("stored size %s, want 120x40", got)
	}
	page := "/admin/articles/" + m[1]
	_, body = a.get(page)
	for _, want := range []string{`name="image_width" value="120"`, `name="image_height" value="40"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the edit page lacks %s", want)
		}
	}

	edit := url.Values{}
	for k, v := range form {
		edit[k] = v
	}
	edit.Set("csrf", a.csrfOf(page))
	// saveAs sets the form's fields kv (name, value, …), saves it and
	// checks the stored size.
	saveAs := func(why, want string, kv ...string) {
		t.Helper()
		for i := 0; i+1 < len(kv); i += 2 {
			edit.Set(kv[i], kv[i+1])
		}
		if resp := a.post(page, edit); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: save = %d", why, resp.StatusCode)
		}
		if got := size(); got != want {
			t.Errorf("size after %s: %s, want %s", why, got, want)
		}
	}
	saveAs("a save that kept it", "120x40", "title", "Crab season opens early")
	edit.Set("image_width", "abc")
	resp, body = a.postBody(page, edit)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-image_width"`) || !strings.Contains(body, `value="abc"`) {
		t.Errorf("save with a width of abc = %d, want 422 with the error by the width and abc kept:\n%s", resp.StatusCode, body)
	}
	if got := size(); got != "120x40" {
		t.Errorf("size after a refused save: %s, want 120x40", got)
	}
	saveAs("emptying both", "0x0", "image_width", " ", "image_height", "")
	if _, body = a.get(page); !strings.Contains(body, `name="image_width" value=""`) {
		t.Error("the edit page shows a size for an image of unknown size")
	}

	// A new image URL with the size boxes left as they were filled in
	// drops the old image's size; one with a size typed for it keeps that.
	saveAs("typing 120x40", "120x40", "image_width", "120", "image_height", "40")
	saveAs("a new image URL with the old boxes", "0x0", "image_url", "https://img.news.example/lobster.png")
	saveAs("a new image URL with its size", "600x300",
		"image_url", "https://img.news.example/shrimp.png", "image_width", "600", "image_height", "300")
	if _, body = a.get(page); !strings.Contains(body, "a new image URL drops the old size unless you change it too") {
		t.Error("the hint does not say what a new image URL does to the size")
	}
}
