package campaigns_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// imageAdvice is what a refusal of an image's address tells the editor to
// do, said with the first image refused.
const imageAdvice = ": a mail shows only images from the web; write the image's web address, starting with https://"

// An image whose address is not a web address never shows in a mail: the
// sanitiser drops a javascript:, data: or ftp: one (and Markdown one it
// cannot read), and no mail program loads an image from mailto:. Saving
// such a body is refused, every image at fault named by its line and its
// place among the body's images, as a relative one is; Markdown images
// and HTML <img> tags alike. Web addresses, and relative ones (refused
// with their own message), are not named.
func TestImageAddressRefusedAtSave(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		want       []string // the body's faults, one a line
	}{
		{"javascript", "Intro\n\n![chart](https://news.example/a.png)\n\nThen\n![x](javascript:alert(1))\n",
			[]string{`line 6: image 2's address starts with "javascript:"` + imageAdvice}},
		{"an HTML tag, as written", "Intro\n\n<img src=\"JavaScript:alert(1)\" alt=\"x\" width=\"120\">\n",
			[]string{`line 3: image 1's address starts with "JavaScript:"` + imageAdvice}},
		{"each image at fault, the advice once", "![a](data:image/png;base64,AAAA) ![b](https://news.example/b.png)\n\n" +
			"![c](ftp://news.example/c.png)\n\n![d](mailto:desk@news.example)\n\n![e]()\n\n![f](<ht tp://x>)\n",
			[]string{
				`line 1: image 1's address starts with "data:"` + imageAdvice,
				`line 3: image 3's address starts with "ftp:"`,
				`line 5: image 4's address starts with "mailto:"`,
				`line 7: image 5 has no address`,
				`line 9: image 6's address is not a web address`,
			}},
		{"in order among the other faults", "Hi {{ .Nmae }}\n\n![x](javascript:alert(1))\n\nSee [about](/about).\n",
			[]string{
				"line 1: {{ .Nmae }} names no personal field (the personal fields are {{ .Name }} and {{ .Email }}, with a fallback for readers without a name as {{ .Name | default \"reader\" }}; write {{ \"{{\" }} for two braces as text)",
				`line 3: image 1's address starts with "javascript:"` + imageAdvice,
				`line 5: the link "/about" is not a full URL: a mail has no page to resolve it against; write it whole, with https:// and the site's name`,
			}},
		{"web addresses", "![a](https://news.example/a.png) ![b](HTTP://news.example/b.png \"B\")\n\n" +
			"<img src=\"https://news.example/c.png\" alt=\"c\">\n\n![me](https://news.example/{{ .Email }}.png)\n", nil},
		{"a relative address has its own message", "![quay](img/quay.jpg)\n",
			[]string{`line 1: the image "img/quay.jpg" is not a full URL: a mail has no page to resolve it against; write it whole, with https:// and the site's name`}},
		{"a link is not an image", "[call](tel:+441234) [bad](javascript:alert(1))\n", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			if err := campaigns.CheckBody(tt.body); err != nil {
				got = strings.Split(err.Error(), "\n")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("CheckBody(%q) (-want +got):\n%s", tt.body, diff)
			}
		})
	}
}

// A campaign saved with an image from javascript: is refused on its body
// field; one stored before the check is rescheduled, edited around,
// duplicated and sent as it is (the image left out, and named so on its
// page), and a change of its body is checked.
func TestImageAddressRefusedOnTheBodyField(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addReaders(t, 1, e.addList(t, "news"))
	const bad = "Hello\n\n![chart](javascript:alert(1))"
	const why = `line 3: image 1's address starts with "javascript:"` + imageAdvice
	err := e.svc.Schedule(ctx, &campaigns.Campaign{Subject: "Hello", Body: bad, Lists: []string{"news"}})
	if got := bulletin.ErrorFields(err)["body"]; got != why {
		t.Errorf("save: %v (body %q), want the body refused with %q", err, got, why)
	}

	if diff := cmp.Diff([]campaigns.DroppedItem{{What: "an image whose address is not a web address", Line: 3}}, campaigns.Dropped(bad)); diff != "" {
		t.Errorf("left out (-want +got):\n%s", diff)
	}
	err = storedBeforeTheCheck(t, e, bad, bad+"\n\nMore.")
	if got := bulletin.ErrorFields(err)["body"]; got != why {
		t.Errorf("a changed body still holding the image: %v (body %q), want it refused with %q", err, got, why)
	}
}
