package campaigns

import (
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/mailer"
)

// TestRenderImagesHaveWidth: EMAIL.md wants every image with alt and a
// width. Outlook on Windows ignores max-width and shows an image without
// a width attribute at its natural size, wider than the 600 px column;
// every other client takes the style, which lets the image shrink with a
// phone's screen, shown or blocked.
func TestRenderImagesHaveWidth(t *testing.T) {
	html, _, err := Render("![Ferry at dusk](https://news.example/ferry.jpg)\n\n![](https://news.example/map.png)", mailer.NewMarkers())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`<img width="536" style="width:100%;max-width:536px;height:auto;border:0;" src="https://news.example/ferry.jpg" alt="Ferry at dusk">`,
		`<img width="536" style="width:100%;max-width:536px;height:auto;border:0;" src="https://news.example/map.png" alt="">`,
	}
	if diff := cmp.Diff(want, regexp.MustCompile(`<img[^>]*>`).FindAllString(html, -1)); diff != "" {
		t.Errorf("images (-want +got):\n%s", diff)
	}
}

// TestRenderKeepsEveryAlt: an image's alt text is what a reader with
// images off, or with a screen reader, gets instead; the sanitiser kept it
// only when it held no more than letters, digits and a little punctuation.
func TestRenderKeepsEveryAlt(t *testing.T) {
	html, _, err := Render(`![Photo: Fish & chips at "The Quay"? 100%](https://news.example/fish.jpg "Lunch: 12–2")`, mailer.NewMarkers())
	if err != nil {
		t.Fatal(err)
	}
	want := `src="https://news.example/fish.jpg" alt="Photo: Fish &amp; chips at “The Quay”? 100%" title="Lunch: 12–2">`
	if got := regexp.MustCompile(`src=[^>]*>`).FindString(html); got != want {
		t.Errorf("image\n got %s\nwant %s", got, want)
	}
}
