package web

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"testing"

	"github.com/chromedp/chromedp"
)

// paintedLogo is the size, in CSS pixels, of what the dark pixels of a
// screenshot of the screen fill within rect (left, top, right, bottom in
// CSS pixels, of the masthead's logo): the logo as drawn, whatever its
// element's box.
func paintedLogo(t *testing.T, shot []byte, screenWidth float64, rect []float64) (w, h float64) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	scale := float64(img.Bounds().Dx()) / screenWidth
	at := func(x float64) int { return int(math.Round(x * scale)) }
	b := image.Rect(at(rect[0]), at(rect[1]), at(rect[2]), at(rect[3])).Intersect(img.Bounds())
	minX, minY, maxX, maxY := b.Max.X, b.Max.Y, b.Min.X-1, b.Min.Y-1
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, g, bl, _ := img.At(x, y).RGBA(); (r+g+bl)/3 < 0x8000 { // the black logo, on a light page or backdrop
				minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
			}
		}
	}
	if maxX < minX {
		t.Fatal("the screenshot shows no logo where the logo is")
	}
	return float64(maxX-minX+1) / scale, float64(maxY-minY+1) / scale
}

// logoOfDiscs is a logo of black discs as high as it, side by side on a
// transparent background, from its left edge to its right, the last one
// cut where the logo ends: drawn out of proportion, they are ovals to the
// eye; measured, their box is the logo's.
func logoOfDiscs(width, height int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, width, height))
	r := float64(height) / 2
	for y := 0; y < height; y++ {
		for x := 0; x < width; x++ {
			cx := math.Floor(float64(x)/float64(height))*float64(height) + r
			if dx, dy := float64(x)+.5-cx, float64(y)+.5-r; dx*dx+dy*dy <= r*r || x == 0 || x == width-1 || y == 0 || y == height-1 {
				img.Set(x, y, color.NRGBA{A: 255})
			}
		}
	}
	return img
}

// The masthead's logo keeps its proportions on every screen: a wide one
// capped to a phone's width was still drawn 48 px high, so a 1000×100
// logo's circles became ovals at 390 px. A small or tall logo is drawn 48
// px high, as before, and none wider than the screen. Checked on what
// Chromium paints, in light mode and on the dark mode's backdrop.
func TestPublicLogoKeepsItsProportions(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	_, a := newSettingsServer(t)
	ctx := browser33(t)
	login33(t, ctx, a.base)
	views := append([]view33{{320, "light"}}, views33...)
	for _, logo := range []struct {
		name          string
		width, height int
	}{
		{"wide", 1000, 100},
		{"small", 100, 30},
		{"tall", 60, 120},
	} {
		var buf bytes.Buffer
		if err := png.Encode(&buf, logoOfDiscs(logo.width, logo.height)); err != nil {
			t.Fatal(err)
		}
		if resp, body := a.postSettings(goodSettings(), buf.Bytes()); resp.StatusCode != 303 {
			t.Fatalf("POST /admin/settings with the %s logo = %d:\n%s", logo.name, resp.StatusCode, body)
		}
		want := float64(logo.width) / float64(logo.height)
		for _, v := range views {
			open33(t, ctx, v, a.base+"/subscribe")
			// The logo's content box (left, top, right, bottom: inside
			// the dark mode's backdrop, whose rounded corners show the
			// dark page), the screen's width and the masthead's, less
			// the logo's padding.
			box := eval33[[]float64](t, ctx, `(function () {
				var img = document.querySelector(".masthead img"), s = getComputedStyle(img), r = img.getBoundingClientRect();
				return [r.left + parseFloat(s.paddingLeft), r.top + parseFloat(s.paddingTop), r.right - parseFloat(s.paddingRight),
					r.bottom - parseFloat(s.paddingBottom), document.documentElement.clientWidth,
					document.querySelector(".masthead").clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight)];
			})()`)
			shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatalf("screenshot at %s: %v", v, err)
			}
			shot36(t, ctx, "logo-"+logo.name, v)
			w, h := paintedLogo(t, shot, box[4], box[:4])
			// A pixel either way, where the logo's edges fall between two.
			if got := w / h; math.Abs(got-want) > want*(1/h+1/w) {
				t.Errorf("%s logo (%d×%d) at %s: drawn %.1f×%.1f px, proportions %.2f, want %.2f",
					logo.name, logo.width, logo.height, v, w, h, got, want)
			}
			if fits := box[5]; h > 48.5 || (h < 47.5 && w < fits-1) {
				t.Errorf("%s logo at %s: drawn %.1f×%.1f px, want 48 px high or as wide as the masthead (%.0f px)", logo.name, v, w, h, fits)
			}
			if box[2] > box[4] {
				t.Errorf("%s logo at %s: ends at %g px on a %g px screen", logo.name, v, box[2], box[4])
			}
		}
		// The admin's header caps the logo at 120 px wide: the wide one
		// was drawn 120×28, its discs ovals, as the masthead's were.
		if logo.name != "wide" {
			continue
		}
		v := view33{1280, "light"}
		open33(t, ctx, v, a.base+"/admin")
		box := eval33[[]float64](t, ctx, `(function () {
			var r = document.querySelector("header strong img").getBoundingClientRect();
			return [r.left, r.top, r.right, r.bottom, document.documentElement.clientWidth];
		})()`)
		shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot of /admin: %v", err)
		}
		w, h := paintedLogo(t, shot, box[4], box[:4])
		if got := w / h; math.Abs(got-want) > want*(1/h+1/w) {
			t.Errorf("wide logo in the admin's header: drawn %.1f×%.1f px, proportions %.2f, want %.2f", w, h, got, want)
		}
	}
}
