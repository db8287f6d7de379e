package web

import (
	"testing"
)

// logoBox33 is how a page shows its logo: its computed background, its
// padding, the height of the image inside the padding, and where it ends
// on a screen of width ScreenWidth.
type logoBox33 struct {
	Background  string  `json:"background"`
	Luminance   float64 `json:"luminance"`
	Padding     float64 `json:"padding"`
	Height      float64 `json:"height"`
	Right       float64 `json:"right"`
	ScreenWidth float64 `json:"screenWidth"`
}

// logoBoxJS measures the first image matching a selector (%s).
const logoBoxJS = `(function (img) {
	var s = getComputedStyle(img), pad = parseFloat(s.paddingTop) + parseFloat(s.paddingLeft);
	return {background: s.backgroundColor, luminance: s.backgroundColor === "rgba(0, 0, 0, 0)" ? 0 : luminance(s.backgroundColor),
		padding: pad, height: img.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom),
		right: img.getBoundingClientRect().right, screenWidth: document.documentElement.clientWidth};
})(document.querySelector(`

// In dark mode the logo of the public pages' masthead and of the admin's
// header stands on a light, padded, rounded backdrop, as it does in the
// mails (templates/mail/_dark_mode.html): a dark logo on a transparent
// background all but vanished on the dark page. The logo keeps its size,
// in light mode it has no backdrop, and on a phone it stays on the screen.
func TestLogoHasALightBackdropInDarkMode33(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	_, a := newSettingsServer(t)
	saveLogo(t, a) // a dark logo
	ctx := browser33(t)
	login33(t, ctx, a.base)
	for _, page := range []struct{ path, img string }{
		{"/subscribe", ".masthead img"},
		{"/admin", "header strong img"},
	} {
		light := map[int64]logoBox33{}
		for _, v := range views33 {
			open33(t, ctx, v, a.base+page.path)
			got := eval33[logoBox33](t, ctx, logoBoxJS+"'"+page.img+"'))")
			switch v.scheme {
			case "light":
				light[v.width] = got
				if got.Background != "rgba(0, 0, 0, 0)" || got.Padding != 0 {
					t.Errorf("%s at %s: the logo has background %s and padding %g px, want none", page.path, v, got.Background, got.Padding)
				}
			case "dark":
				if got.Luminance < 0.8 || got.Padding <= 0 {
					t.Errorf("%s at %s: the logo has background %s (luminance %.2f) and padding %g px, want a light backdrop with padding",
						page.path, v, got.Background, got.Luminance, got.Padding)
				}
				if want := light[v.width].Height; got.Height != want {
					t.Errorf("%s at %s: the logo is %g px high, %g px in light mode", page.path, v, got.Height, want)
				}
			}
			if got.Right > got.ScreenWidth {
				t.Errorf("%s at %s: the logo ends at %g px on a %g px screen", page.path, v, got.Right, got.ScreenWidth)
			}
		}
	}
}
