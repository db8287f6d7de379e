package templates

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// DefaultAccent is the accent colour of an install that has not chosen one.
const DefaultAccent = "#1f5fbf"

// A Brand is how the publication shows itself on pages and in mail: its
// name, logo and accent colour, the postal address of mail footers,
// whether the small "Sent with Bulletin" credit shows, and the language
// it writes in.
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
	// Language is the BCP 47 tag of the language the publisher writes its
	// articles and campaigns in, "" for English.
	Language string
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

// Lang is the lang of a mail made of the publisher's words: the
// publication's language, "en" when it has none.
func (b Brand) Lang() string {
	if b.Language == "" {
		return "en"
	}
	return b.Language
}

// ContentLang is the publication's language when it is not English, else
// "". Bulletin's own words are English: a page of them marks the
// publisher's words with this lang, and a mail in this language marks
// Bulletin's words (its footer, a digest's headings) lang="en", so that a
// screen reader reads each in its own language. English in any variant
// ("en-GB") needs no mark, so the pages and mails of an English
// publication stay as they were.
func (b Brand) ContentLang() string {
	primary, _, _ := strings.Cut(b.Language, "-")
	if primary == "" || strings.EqualFold(primary, "en") {
		return ""
	}
	return b.Language
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

// AccentEdge is the colour of a line around a button filled with the
// accent, or "" when the fill alone stands out from white at 3:1, as
// WCAG 1.4.11 asks of a control's shape (the default accent does): a
// very light accent (cream, pale yellow) fills a button that is barely
// there on a white page or mail, 1.07:1, so it gets an edge in the
// accent's readable shade (AccentText). Dark mode needs none: the fill
// there is the accent lightened, on a dark card.
func (b Brand) AccentEdge() string {
	if _, ok := parseHex(b.Accent); !ok || Contrast(b.Accent, lightBackground) >= minShapeContrast {
		return ""
	}
	return b.AccentText()
}

// The WCAG AA contrast text needs against its background, and the
// backgrounds accent text sits on: white cards in light mode, the dark
// card of pages (layout.html, admin.html) in dark mode.
const (
	minTextContrast = 4.5
	// minShapeContrast is what a control's shape needs against what
	// is around it (WCAG 1.4.11).
	minShapeContrast = 3
	lightBackground  = "#ffffff"
	darkPageCard     = "#1d2129"
)

// AccentText is the colour of the accent as text on a light background:
// links, the active admin menu item, the publication's name in the mail
// masthead. It is the accent itself when that reads at 4.5:1 on white
// (the default accent does), else the accent darkened, same hue, until
// it does: a light accent such as yellow stays for fills (buttons, bars),
// whose text is OnAccent, but as text on white it cannot be read.
func (b Brand) AccentText() string {
	return readable(b.Accent, lightBackground, -1)
}

// AccentTextDark is the colour of the accent as text on the dark card of
// pages in dark mode (darkPageCard), or "" when the accent mixed 55% with
// white, which the pages' dark-mode CSS shows by default (color-mix),
// reads there at 4.5:1 already. It is that mix lightened, same hue,
// until it does: a dark accent (navy, black) mixed so is still too dark.
func (b Brand) AccentTextDark() string {
	mix := mixWhite(b.Accent, 0.55)
	if mix == "" || Contrast(mix, darkPageCard) >= minTextContrast {
		return ""
	}
	return readable(mix, darkPageCard, +1)
}

// Contrast is the WCAG contrast ratio of two "#rrggbb" colours, from 1 to
// 21; anything else counts as black.
func Contrast(a, b string) float64 {
	la, lb := luminance(a)+0.05, luminance(b)+0.05
	return max(la, lb) / min(la, lb)
}

// readable is c, "#rrggbb", when it reads on bg at 4.5:1, else c with its
// HSL lightness moved in steps of 0.5% (down for dir -1, up for +1) until
// it does; black reads on white and white on the dark card, so it ends.
// Anything but "#rrggbb" is given back as it is.
func readable(c, bg string, dir float64) string {
	rgb, ok := parseHex(c)
	if !ok || Contrast(c, bg) >= minTextContrast {
		return c
	}
	h, s, l := toHSL(rgb)
	for {
		l = min(1, max(0, l+dir*0.005))
		out := toHex(fromHSL(h, s, l))
		if Contrast(out, bg) >= minTextContrast || l == 0 || l == 1 {
			return out
		}
	}
}

// mixWhite is c mixed with white, share parts of c, as CSS
// color-mix(in srgb, c share, #fff) mixes them; "" for anything but
// "#rrggbb".
func mixWhite(c string, share float64) string {
	rgb, ok := parseHex(c)
	if !ok {
		return ""
	}
	for i := range rgb {
		rgb[i] = share*rgb[i] + (1 - share)
	}
	return toHex(rgb)
}

// parseHex reads "#rrggbb" as red, green and blue from 0 to 1.
func parseHex(c string) (rgb [3]float64, ok bool) {
	if len(c) != 7 || c[0] != '#' {
		return rgb, false
	}
	for i := range rgb {
		v, err := strconv.ParseUint(c[1+2*i:3+2*i], 16, 8)
		if err != nil {
			return rgb, false
		}
		rgb[i] = float64(v) / 255
	}
	return rgb, true
}

// toHex writes red, green and blue from 0 to 1 as "#rrggbb".
func toHex(rgb [3]float64) string {
	return fmt.Sprintf("#%02x%02x%02x", int(math.Round(rgb[0]*255)), int(math.Round(rgb[1]*255)), int(math.Round(rgb[2]*255)))
}

// toHSL is the hue (0 to 1, a turn), saturation and lightness of rgb.
func toHSL(rgb [3]float64) (h, s, l float64) {
	r, g, b := rgb[0], rgb[1], rgb[2]
	hi, lo := max(r, g, b), min(r, g, b)
	l = (hi + lo) / 2
	d := hi - lo
	if d == 0 {
		return 0, 0, l
	}
	s = d / (1 - math.Abs(2*l-1))
	switch hi {
	case r:
		h = math.Mod((g-b)/d+6, 6)
	case g:
		h = (b-r)/d + 2
	default:
		h = (r-g)/d + 4
	}
	return h / 6, s, l
}

// fromHSL is the colour of hue h, saturation s and lightness l.
func fromHSL(h, s, l float64) [3]float64 {
	c := (1 - math.Abs(2*l-1)) * s
	x := c * (1 - math.Abs(math.Mod(h*6, 2)-1))
	m := l - c/2
	var r, g, b float64
	switch int(h*6) % 6 {
	case 0:
		r, g = c, x
	case 1:
		r, g = x, c
	case 2:
		g, b = c, x
	case 3:
		g, b = x, c
	case 4:
		r, b = x, c
	default:
		r, b = c, x
	}
	return [3]float64{r + m, g + m, b + m}
}

// luminance is the relative luminance of "#rrggbb", 0 for anything else.
func luminance(hex string) float64 {
	rgb, ok := parseHex(hex)
	if !ok {
		return 0
	}
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		c := rgb[i]
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
