package web

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"regexp"
	"testing"
)

// saveLogo saves goodSettings on a, a newSettingsServer's admin, with a
// logo of 600×100 pixels: pages show it at 240×40.
func saveLogo(t *testing.T, a *adminClient) {
	t.Helper()
	var logo bytes.Buffer
	if err := png.Encode(&logo, image.NewGray(image.Rect(0, 0, 600, 100))); err != nil {
		t.Fatal(err)
	}
	if resp, body := a.postSettings(goodSettings(), logo.Bytes()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /admin/settings = %d:\n%s", resp.StatusCode, body)
	}
}

// TestPagesGiveTheLogoItsSize: pages show the logo with the width and
// height of the masthead of mail (48 pixels high, or 240 wide when that
// is narrower), so it takes its place before it loads; their CSS still
// sets the size shown. The public masthead, the admin header and the
// settings form's preview all do.
func TestPagesGiveTheLogoItsSize(t *testing.T) {
	_, a := newSettingsServer(t)
	saveLogo(t, a)
	const src = `src="/media/logo-[0-9a-f]{16}\.png"`
	for _, tc := range []struct {
		path string
		img  *regexp.Regexp
	}{
		{"/subscribe", regexp.MustCompile(`<header class="masthead"><a href="https://quayside.example"><img ` + src +
			` alt="Quayside Courier" width="240" height="40"></a></header>`)},
		{"/admin/settings", regexp.MustCompile(`<strong><img ` + src + ` alt="" width="240" height="40">Quayside Courier</strong>`)},
		{"/admin/settings", regexp.MustCompile(`<img ` + src + ` alt="Current logo" width="240" height="40" ` +
			`style="max-height:48px;max-width:100%;height:auto;vertical-align:middle">`)},
	} {
		resp, body := a.get(tc.path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", tc.path, resp.StatusCode)
		}
		if !tc.img.MatchString(body) {
			t.Errorf("GET %s shows no logo matching %s:\n%s", tc.path, tc.img, body)
		}
	}
}
