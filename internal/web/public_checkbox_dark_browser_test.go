package web

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"math"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/bulletinhq/bulletin/subscribers"
)

// drawnEdges is how an unticked box is drawn against background bg
// (#rrggbb): on each of its four sides, the pixel that stands out most
// from bg on a line across the middle of that side, from 3 px outside
// the element's box to 4 px inside it, with its contrast ratio to bg.
// rect is the element's box in CSS pixels (left, top, right, bottom), on
// a screen screenWidth CSS pixels wide.
func drawnEdges(t *testing.T, shot []byte, screenWidth float64, rect []float64, bg string) (worst float64, sides []string) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	scale := float64(img.Bounds().Dx()) / screenWidth
	px := func(x float64) int { return int(math.Floor(x * scale)) }
	hex := func(x, y int) string {
		r, g, b, _ := img.At(x, y).RGBA()
		return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
	}
	midX, midY := (rect[0]+rect[2])/2, (rect[1]+rect[3])/2
	worst = math.Inf(1)
	for _, side := range []struct {
		name           string
		x0, y0, dx, dy float64 // from 3 px outside, inward
	}{
		{"left", rect[0] - 3, midY, 1, 0},
		{"right", rect[2] + 3, midY, -1, 0},
		{"top", midX, rect[1] - 3, 0, 1},
		{"bottom", midX, rect[3] + 3, 0, -1},
	} {
		best, colour := 0.0, ""
		for d := 0.0; d <= 7; d += 1 / scale {
			x, y := px(side.x0+side.dx*d), px(side.y0+side.dy*d)
			if c := hex(x, y); contrast(t, c, bg) > best {
				best, colour = contrast(t, c, bg), c
			}
		}
		worst = math.Min(worst, best)
		sides = append(sides, fmt.Sprintf("%s %s %.2f:1", side.name, colour, best))
	}
	return worst, sides
}

// The unticked checkboxes of the signup form and the preferences page,
// and the preferences page's unticked radio, have an edge of 3:1 at least
// against the card, as drawn, in dark mode and light, at a phone's width
// and a laptop's (WCAG 1.4.11). In dark mode the browser's own edge was
// #5f5f5f on the card's #1d2129 on a phone, 2.53:1, where the box sat
// between pixels and its 1 px edge was spread over two.
func TestPublicUntickedBoxesStandOutInDarkMode(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	e := newSubEnv(t, 0)
	digest := "daily"
	if _, err := e.store.UpdateList(context.Background(), "daily-news", &subscribers.ListPatch{Digest: &digest}); err != nil {
		t.Fatal(err)
	}
	_, prefs := e.prefsReader("ann@example.org", "weekly", "daily-news")
	ts := httptest.NewServer(e.h)
	t.Cleanup(ts.Close)
	b := browser33(t)
	for _, p := range []struct{ name, path, box string }{
		{"signup", "/subscribe", `input[type=checkbox]:not(:checked)`},
		{"preferences", prefs, `input[type=checkbox]:not(:checked)`},
		{"preferences' radio", prefs, `input[type=radio]:not(:checked)`},
	} {
		for _, v := range views33 {
			open33(t, b, v, ts.URL+p.path)
			r := eval33[[]float64](t, b, `(function () {
				var el = document.querySelector('`+p.box+`');
				el.scrollIntoView({block: "center"});
				var r = el.getBoundingClientRect();
				return [innerWidth, r.left, r.top, r.right, r.bottom];
			})()`)
			bg := eval33[string](t, b, `(function () {
				var m = getComputedStyle(document.querySelector(".card")).backgroundColor.match(/\d+/g);
				return "#" + m.slice(0, 3).map(function (n) { return ("0" + Number(n).toString(16)).slice(-2); }).join("");
			})()`)
			shot, err := chromedp.Run(b, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			worst, sides := drawnEdges(t, shot, r[0], r[1:], bg)
			if worst < 3 {
				t.Errorf("%s at %s: an unticked box's edge against the card (%s) is %.2f:1, want 3:1 at least: %s", p.name, v, bg, worst, strings.Join(sides, ", "))
			}
		}
	}
}
