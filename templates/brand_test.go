package templates

import (
	"regexp"
	"testing"
)

// TestMastheadLogo: a logo is shown 48 pixels high, or 240 wide when that
// is narrower, its shape kept, rounded and at least 1; one of unknown size
// gets no size.
func TestMastheadLogo(t *testing.T) {
	for _, tc := range []struct{ width, height, w, h int }{
		{600, 100, 240, 40},
		{96, 96, 48, 48},
		{200, 80, 120, 48},
		{250, 50, 240, 48},  // exactly 240 at 48 high
		{251, 50, 240, 48},  // 47.8 rounds up
		{700, 99, 240, 34},  // 33.9
		{1000, 99, 240, 24}, // 23.76
		{30, 300, 5, 48},    // 4.8
		{1, 4000, 1, 48},
		{4000, 1, 240, 1},
		{0, 0, 0, 0},
		{100, 0, 0, 0},
		{-5, 10, 0, 0},
	} {
		if w, h := MastheadLogo(tc.width, tc.height); w != tc.w || h != tc.h {
			t.Errorf("MastheadLogo(%d, %d) = %d, %d, want %d, %d", tc.width, tc.height, w, h, tc.w, tc.h)
		}
	}
}

// TestMastheadLogoAttributes: the masthead of mail gives a logo of known
// size its width and height as attributes and in its style, and one of
// unknown size its height only, as before sizes were known.
func TestMastheadLogoAttributes(t *testing.T) {
	tmpl, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	img := regexp.MustCompile(`<img [^>]*>`)
	b := Brand{Name: "Quay & Co", URL: "https://news.example", LogoURL: "https://news.example/media/logo-0123456789abcdef.png"}
	for _, tc := range []struct {
		w, h int
		want string
	}{
		{240, 40, `<img src="https://news.example/media/logo-0123456789abcdef.png" alt="Quay &amp; Co" width="240" height="40" style="display:block;width:240px;height:40px;border:0;">`},
		{0, 0, `<img src="https://news.example/media/logo-0123456789abcdef.png" alt="Quay &amp; Co" height="48" style="display:block;height:48px;width:auto;max-width:240px;border:0;">`},
	} {
		b.LogoWidth, b.LogoHeight = tc.w, tc.h
		_, html := renderMail(t, tmpl, "test", map[string]any{"Brand": b, "Message": "Hello"})
		if got := img.FindString(html); got != tc.want {
			t.Errorf("%dx%d: masthead\n got %s\nwant %s", tc.w, tc.h, got, tc.want)
		}
	}
}
