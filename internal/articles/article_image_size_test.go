package articles_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/articles"
	"github.com/bulletinhq/bulletin/internal/bulletin"
)

// TestArticleImageSizeChecked: an image's size is both sides or neither,
// each a whole number from 1 to 10000, and only with an image URL; what is
// wrong is said by field, through Validate as through Put, and a refused
// article is not stored. A size that passes is stored and read back.
func TestArticleImageSizeChecked(t *testing.T) {
	_, store := newFeedEnv(t)
	const img = "https://img.news.example/bridge.jpg"
	for _, tt := range []struct {
		name          string
		image         string
		width, height int
		want          map[string]string // fields at fault; nil when saved
	}{
		{"neither", img, 0, 0, nil},
		{"both", img, 1200, 800, nil},
		{"smallest and largest", img, 1, 10000, nil},
		{"no image, no size", "", 0, 0, nil},
		{"width alone", img, 1200, 0, map[string]string{
			"image_height": "give the image's height too, or neither: a digest needs both to keep its shape"}},
		{"height alone", img, 0, 800, map[string]string{
			"image_width": "give the image's width too, or neither: a digest needs both to keep its shape"}},
		{"too wide", img, 10001, 800, map[string]string{
			"image_width": "give the image's width in pixels, a whole number from 1 to 10000, or leave it empty"}},
		{"negative height", img, 1200, -1, map[string]string{
			"image_height": "give the image's height in pixels, a whole number from 1 to 10000, or leave it empty"}},
		{"too tall, no width", img, 0, 10001, map[string]string{
			"image_height": "give the image's height in pixels, a whole number from 1 to 10000, or leave it empty"}},
		{"size without an image", "", 1200, 800, map[string]string{
			"image_width":  "give the image's width only with its URL, or leave it empty",
			"image_height": "give the image's height only with its URL, or leave it empty"}},
		{"height alone without an image", "", 0, 800, map[string]string{
			"image_height": "give the image's height only with its URL, or leave it empty"}},
	} {
		a := &articles.Article{Title: "Bridge reopens", URL: "https://news.example/" + tt.name, ImageURL: tt.image,
			ImageWidth: tt.width, ImageHeight: tt.height}
		if diff := cmp.Diff(tt.want, bulletin.ErrorFields(a.Validate())); diff != "" {
			t.Errorf("%s: Validate's fields (-want +got):\n%s", tt.name, diff)
		}
		title, url, image, width, height := a.Title, a.URL, tt.image, tt.width, tt.height
		got, _, err := store.Put(context.Background(), &articles.Patch{Title: &title, URL: &url, ImageURL: &image,
			ImageWidth: &width, ImageHeight: &height})
		if diff := cmp.Diff(tt.want, bulletin.ErrorFields(err)); diff != "" {
			t.Errorf("%s: Put's fields (-want +got):\n%s", tt.name, diff)
		}
		if tt.want != nil {
			if got != nil || bulletin.ErrorCode(err) != bulletin.EINVALID {
				t.Errorf("%s: Put = %+v, %v; want it refused", tt.name, got, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: Put: %v", tt.name, err)
		}
		stored, err := store.Get(context.Background(), got.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.ImageWidth != tt.width || stored.ImageHeight != tt.height {
			t.Errorf("%s: stored size %dx%d, want %dx%d", tt.name, stored.ImageWidth, stored.ImageHeight, tt.width, tt.height)
		}
	}
}

// TestArticleImageSizeGoesWithItsImage: a change of image URL that gives
// no size makes the size unknown, as the stored one was the old image's;
// one that keeps the URL, or gives the size with the new URL, keeps or
// sets it. A feed's save follows the same rule.
func TestArticleImageSizeGoesWithItsImage(t *testing.T) {
	_, store := newFeedEnv(t)
	ctx := context.Background()
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }
	a, _, err := store.Put(ctx, &articles.Patch{Title: str("Bridge reopens"), URL: str("https://news.example/bridge"),
		ImageURL: str("https://img.news.example/bridge.jpg"), ImageWidth: num(1200), ImageHeight: num(800)})
	if err != nil {
		t.Fatal(err)
	}
	type size struct {
		URL, Alt string
		W, H     int
	}
	steps := []struct {
		name string
		p    articles.Patch
		want size
	}{
		{"the alt text alone", articles.Patch{ImageAlt: str("The bridge at dusk")},
			size{"https://img.news.example/bridge.jpg", "The bridge at dusk", 1200, 800}},
		{"the same URL again", articles.Patch{ImageURL: str(" https://img.news.example/bridge.jpg ")},
			size{"https://img.news.example/bridge.jpg", "The bridge at dusk", 1200, 800}},
		{"a new URL without a size", articles.Patch{ImageURL: str("https://img.news.example/bridge-2.jpg")},
			size{"https://img.news.example/bridge-2.jpg", "The bridge at dusk", 0, 0}},
		{"the size alone", articles.Patch{ImageWidth: num(640), ImageHeight: num(480)},
			size{"https://img.news.example/bridge-2.jpg", "The bridge at dusk", 640, 480}},
		{"a new URL with its size", articles.Patch{ImageURL: str("https://img.news.example/icon.png"), ImageWidth: num(120), ImageHeight: num(40)},
			size{"https://img.news.example/icon.png", "The bridge at dusk", 120, 40}},
		{"a size made unknown", articles.Patch{ImageWidth: num(0), ImageHeight: num(0)},
			size{"https://img.news.example/icon.png", "The bridge at dusk", 0, 0}},
		{"the size again", articles.Patch{ImageWidth: num(120), ImageHeight: num(40)},
			size{"https://img.news.example/icon.png", "The bridge at dusk", 120, 40}},
		{"the image removed", articles.Patch{ImageURL: str(""), ImageAlt: str("")},
			size{"", "", 0, 0}},
	}
	for _, st := range steps {
		got, err := store.Update(ctx, a.ID, &st.p)
		if err != nil {
			t.Fatalf("%s: Update: %v", st.name, err)
		}
		if diff := cmp.Diff(st.want, size{got.ImageURL, got.ImageAlt, got.ImageWidth, got.ImageHeight}); diff != "" {
			t.Errorf("%s: image (-want +got):\n%s", st.name, diff)
		}
	}

	// A new URL given one side only keeps nothing of the old size: the
	// other side is missing, not the old image's.
	if _, err := store.Update(ctx, a.ID, &articles.Patch{ImageURL: str("https://img.news.example/a.png"), ImageWidth: num(300), ImageHeight: num(200)}); err != nil {
		t.Fatal(err)
	}
	_, err = store.Update(ctx, a.ID, &articles.Patch{ImageURL: str("https://img.news.example/b.png"), ImageWidth: num(300)})
	if got := bulletin.ErrorFields(err); got["image_height"] == "" {
		t.Errorf("a new URL with its width alone = %v, want image_height at fault", err)
	}

	// Save, as a feed saves: a feed that gives no size keeps the size of
	// the same image and drops that of another.
	b := &articles.Article{Title: "Storm warning", URL: "https://news.example/storm", ImageURL: "https://img.news.example/storm.jpg", ImageWidth: 1600, ImageHeight: 900}
	if _, err := store.Save(ctx, b); err != nil {
		t.Fatal(err)
	}
	for _, st := range []struct {
		image string
		w, h  int
		want  size
	}{
		{"https://img.news.example/storm.jpg", 0, 0, size{"https://img.news.example/storm.jpg", "", 1600, 900}},
		{"https://img.news.example/storm.jpg", 800, 450, size{"https://img.news.example/storm.jpg", "", 800, 450}},
		{"https://img.news.example/storm-2.jpg", 0, 0, size{"https://img.news.example/storm-2.jpg", "", 0, 0}},
	} {
		c := &articles.Article{Title: "Storm warning", URL: "https://news.example/storm", ImageURL: st.image, ImageWidth: st.w, ImageHeight: st.h}
		if _, err := store.Save(ctx, c); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(st.want, size{c.ImageURL, c.ImageAlt, c.ImageWidth, c.ImageHeight}); diff != "" {
			t.Errorf("Save of %s at %dx%d: image (-want +got):\n%s", st.image, st.w, st.h, diff)
		}
	}
}
