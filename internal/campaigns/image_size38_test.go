package campaigns_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/mailer"
)

// TestBodyImagesKeepTheirSize38: Markdown cannot size an image, so a
// small one (a badge, a portrait, a signature) is given its size by an
// HTML <img> tag, which used to be left out of the mail whole. Its width
// in pixels is kept up to the card's 536 px, with the height scaled to
// match, once each, in a style that still lets it shrink on a phone; a
// Markdown image and one without a width in pixels fill the card, with
// no height that would squash them in Outlook.
func TestBodyImagesKeepTheirSize38(t *testing.T) {
	const (
		card  = `<img width="536" style="width:100%;max-width:536px;height:auto;border:0;" src="https://example.com/`
		badge = `<img width="120" height="40" style="width:120px;max-width:100%;height:auto;border:0;" src="https://example.com/badge.png" alt="Award badge">`
	)
	tests := []struct {
		name, body string
		want       []string
	}{
		{"small, on its own line", `<img src="https://example.com/badge.png" alt="Award badge" width="120" height="40">`, []string{badge}},
		{"small, within a line", `Awarded <img src="https://example.com/badge.png" alt="Award badge" width="120" height="40"> in 2026.`, []string{badge}},
		{"self-closed, attributes in any order", `<img width="120" alt="Award badge" height="40" src="https://example.com/badge.png" />`, []string{badge}},
		{"wide", `<img src="https://example.com/quay.jpg" alt="The quay" width="1200" height="600">`,
			[]string{`<img width="536" height="268" style="width:536px;max-width:100%;height:auto;border:0;" src="https://example.com/quay.jpg" alt="The quay">`}},
		{"rounded", `<img src="https://example.com/quay.jpg" alt="" width="1072" height="601">`,
			[]string{`<img width="536" height="301" style="width:536px;max-width:100%;height:auto;border:0;" src="https://example.com/quay.jpg" alt="">`}},
		{"width only", `<img src="https://example.com/sig.png" alt="Jo" width="180">`,
			[]string{`<img width="180" style="width:180px;max-width:100%;height:auto;border:0;" src="https://example.com/sig.png" alt="Jo">`}},
		{"markdown", `![The quay](https://example.com/quay.jpg)`, []string{card + `quay.jpg" alt="The quay">`}},
		{"percentage", `<img src="https://example.com/quay.jpg" alt="The quay" width="50%" height="40">`, []string{card + `quay.jpg" alt="The quay">`}},
		{"not pixels", `<img src="https://example.com/quay.jpg" alt="The quay" width="120px" height="40">`, []string{card + `quay.jpg" alt="The quay">`}},
		{"height only", `<img src="https://example.com/quay.jpg" alt="The quay" height="40">`, []string{card + `quay.jpg" alt="The quay">`}},
		{"zero", `<img src="https://example.com/quay.jpg" alt="The quay" width="0" height="0">`, []string{card + `quay.jpg" alt="The quay">`}},
		{"in a link", `[<img src="https://example.com/badge.png" alt="Award badge" width="120" height="40">](https://example.com/award)`, []string{badge}},
		{"inside a refused element", `Watch <video><img src="https://example.com/badge.png" width="120"></video> now`, nil},
		{"no src", `<img alt="Award badge" width="120">`, nil},
	}
	img := regexp.MustCompile(`<img[^>]*>`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The mail's render, and the archive's and preview's, which
			// fills it for a reader.
			mail, _, err := campaigns.Render(tt.body, mailer.NewMarkers())
			if err != nil {
				t.Fatal(err)
			}
			page, _, err := campaigns.RenderFor(tt.body, mailer.Personal{})
			if err != nil {
				t.Fatal(err)
			}
			for part, html := range map[string]string{"mail": mail, "page": page} {
				got := img.FindAllString(html, -1)
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("%s's images (-want +got):\n%s", part, diff)
				}
				for _, tag := range got {
					if n := strings.Count(tag, " width="); n != 1 {
						t.Errorf("%s: %d width attributes in %s", part, n, tag)
					}
				}
			}
		})
	}
}

// TestBodyImageTagIsAnImage38: an HTML image is an image in every other
// way too: the text part shows its alt and address, the campaign's page
// no longer says it is left out, and a relative address is refused when
// the body is saved. A tag alone on its line with text on the next is a
// block of HTML, left out with that text and named, as before.
func TestBodyImageTagIsAnImage38(t *testing.T) {
	body := `<img src="https://example.com/fish.png" alt="Fish &amp; chips" width="120" height="40">`
	html, text, err := campaigns.RenderFor(body, mailer.Personal{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html, ` alt="Fish &amp; chips"`) {
		t.Errorf("html lost the alt:\n%s", html)
	}
	if want := "[Fish & chips] (https://example.com/fish.png)\n"; text != want {
		t.Errorf("text = %q, want %q", text, want)
	}
	if got := campaigns.Dropped(body); len(got) != 0 {
		t.Errorf("Dropped = %+v, want nothing", got)
	}

	// On its own line in a tight list, as Markdown's image would be.
	html, _, err = campaigns.RenderFor("- Winner\n- <img src=\"https://example.com/badge.png\" alt=\"Award badge\" width=\"120\">", mailer.Personal{})
	if err != nil {
		t.Fatal(err)
	}
	if want := `<li style="margin:0 0 6px;"><img width="120" `; !strings.Contains(html, want) {
		t.Errorf("html has no %s:\n%s", want, html)
	}

	err = campaigns.CheckBody(`Our <img src="badge.png" alt="Award badge" width="120"> badge`)
	if err == nil || !strings.Contains(err.Error(), `line 1: the image "badge.png" is not a full URL`) {
		t.Errorf("CheckBody of a relative image = %v", err)
	}

	block := "<img src=\"https://example.com/sig.png\" alt=\"Jo\" width=\"120\">\nJo Bloggs, editor"
	html, _, err = campaigns.RenderFor(block, mailer.Personal{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, "<img") || strings.Contains(html, "Bloggs") {
		t.Errorf("a block of HTML was kept:\n%s", html)
	}
	want := []campaigns.DroppedItem{{What: "<img>", Line: 1, Note: "with the text of lines 1 to 2"}}
	if diff := cmp.Diff(want, campaigns.Dropped(block)); diff != "" {
		t.Errorf("Dropped (-want +got):\n%s", diff)
	}
}
