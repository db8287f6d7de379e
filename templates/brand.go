package templates

import (
	"math"
	"strconv"
	"strings"
)

// DefaultAccent is the accent colour of an install that has not chosen one.
const DefaultAccent = "#1f5fbf"

// A Brand is how the publication shows itself on pages and in mail: its
// name, logo and accent colour, the postal address of mail footers, and
// whether the small "Sent with Bulletin" credit shows.
type Brand struct {
	Name string
	// URL is the public URL Bulletin is reached at.
	URL string
	// WebsiteURL is the publisher's own site; empty when not given.
	WebsiteURL string
	// LogoURL is the logo's absolute URL, for mail; LogoPath is its path on
	// this site, for pages. Both are empty without a logo.
	LogoURL, LogoPath string
	// LogoWidth and LogoHeight are the size the masthead of mail shows the
	// logo at (MastheadLogo), as its width and height attributes; 0 when
	// the logo's size is not known, and the masthead sets its height only.
	LogoWidth, LogoHeight int
	// Accent is a colour "#rrggbb" for links and buttons.
	Accent string
	// PostalAddress is the publisher's postal address, lines separated by
	// "\n"; mail footers show it, as anti-spam laws ask.
	PostalAddress string
	// Credit shows "Sent with Bulletin" in footers.
	Credit bool
}

// The masthead of mail shows the logo mastheadLogoHeight pixels high, or
// mastheadLogoMaxWidth wide when that is narrower.
const (
	mastheadLogoHeight   = 48
	mastheadLogoMaxWidth = 240
)

// MastheadLogo is the size the masthead of mail shows a logo of width by
// height pixels at: 48 pixels high, as wide as its shape makes that,
// unless that is over 240 pixels; then 240 wide and as high as its shape
// makes that. Both are rounded and at least 1. A logo of unknown size (0
// by 0) gives 0 by 0.
func MastheadLogo(width, height int) (w, h int) {
	if width <= 0 || height <= 0 {
		return 0, 0
	}
	if width*mastheadLogoHeight > height*mastheadLogoMaxWidth {
		return mastheadLogoMaxWidth, scale(height, mastheadLogoMaxWidth, width)
	}
	return scale(width, mastheadLogoHeight, height), mastheadLogoHeight
}

// scale is n*num/den, rounded, at least 1.
func scale(n, num, den int) int {
	return max(1, int(math.Round(float64(n)*float64(num)/float64(den))))
}

// DefaultBrand is the brand of an install with no settings.
func DefaultBrand() Brand {
	return Brand{Name: "Bulletin", Accent: DefaultAccent, Credit: true}
}

// PostalLines are the lines of the postal address, without blank ones.
func (b Brand) PostalLines() []string {
	var out []string
	for _, l := range strings.Split(b.PostalAddress, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// HomeURL is where the masthead leads: the publisher's site, else the
// public URL.
func (b Brand) HomeURL() string {
	if b.WebsiteURL != "" {
		return b.WebsiteURL
	}
	return b.URL
}

// OnAccent is the colour of text on the accent: white, or near-black on
// a light accent, whichever contrasts more (WCAG relative luminance).
func (b Brand) OnAccent() string {
	if luminance(b.Accent) > 0.179 {
		return "#111827"
	}
	return "#ffffff"
}

// luminance is the relative luminance of "#rrggbb", 0 for anything else.
func luminance(hex string) float64 {
	if len(hex) != 7 || hex[0] != '#' {
		return 0
	}
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			return 0
		}
		c := float64(v) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l
}

// SetBrand makes pages show the brand f returns, asked at each render
// (through the "brand" function of the page templates). There is one
// publication per install, so it is set once, at start-up; until then
// pages show DefaultBrand. Mail gets its brand in its data instead: a
// send worker has no settings to ask.
func (t *Templates) SetBrand(f func() Brand) { t.brand.Store(&f) }

// currentBrand is the brand pages show now.
func (t *Templates) currentBrand() Brand {
	if f := t.brand.Load(); f != nil {
		return (*f)()
	}
	return DefaultBrand()
}
