package web

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The digest send page's phone preview shows the mail to the editor who
// looks at it, at a phone's width and a laptop's, light and dark: the
// frame's document holds the mail, the frame has its height, and once
// scrolled to, the frame is painted with the mail and not left blank.
//
// A full-page screenshot taken straight after the load shows the frame
// blank, and that is the screenshot's doing, not the page's. A sandboxed
// frame without allow-same-origin runs in a process of its own, and
// Chromium paints such a frame only once it comes near the viewport: one
// wholly below the fold is left out of a capture beyond the viewport, while
// one the viewport reaches is painted. Hence a capture at a width where the
// desktop frame starts in the viewport and the phone frame, wrapped below
// it, does not, showed the one with the mail and the other blank.
func TestDigestSendPagePhonePreviewShowsTheMail(t *testing.T) {
	_, a, _ := newDigestAdminDB(t)
	ctx := browser33(t)
	login33(t, ctx, a.base)
	for _, v := range views33 {
		open33(t, ctx, v, a.base+"/admin/digests/weekend/run")
		box := eval33[[]float64](t, ctx, `(function(){
			var f = document.querySelector('iframe[title="Preview at phone width"]');
			if (!f || f.offsetParent === null) return [0, 0, 0, 0, 0];
			var r = f.getBoundingClientRect(), fig = f.closest("figure");
			return [f.clientWidth, r.height, r.right, fig.getBoundingClientRect().right, fig.scrollWidth - fig.clientWidth];
		})()`)
		if box[0] == 0 || box[1] < 300 {
			t.Errorf("at %s the phone preview is %v px wide and %v px high, want it shown and as high as a screen", v, box[0], box[1])
			continue
		}
		// On a phone the frame is as wide as the screen: it stuck out of
		// its figure by 30 px at 390, which scrolled sideways and cut the
		// mail's right edge off.
		if box[2] > box[3]+0.5 || box[4] > 0 {
			t.Errorf("at %s the phone preview ends at %v px, its figure at %v px (scrolling %v px sideways): want it within", v, box[2], box[3], box[4])
		}
		mail, err := digestPhoneFrame(ctx, int(box[0]))
		if err != nil {
			t.Errorf("at %s: %v", v, err)
			continue
		}
		for _, want := range []string{"Harbour Gazette", "1 new story", "Market day", "Unsubscribe"} {
			if !strings.Contains(mail.Text, want) {
				t.Errorf("at %s the phone preview's document lacks %q; it reads:\n%s", v, want, mail.Text)
			}
		}
		if mail.Height == 0 || mail.ContentHeight < 200 {
			t.Errorf("at %s the phone preview's document is %d px high with %d px of mail, want the frame's height and the mail laid out", v, mail.Height, mail.ContentHeight)
		}
		if n := digestPhonePainted(t, ctx); n < digestPaintedColours {
			t.Errorf("at %s the phone preview scrolled to is painted in %d colours, want the mail's (at least %d): it is blank", v, n, digestPaintedColours)
		}
	}
}

// digestPaintedColours is how many colours the phone preview's top 400 px
// take at least once the mail is painted there: its anti-aliased text
// gives a thousand or so, a blank frame a score at most (its background
// and the rounded corners of its border).
const digestPaintedColours = 100

// A digestFrame is what the phone preview's own document says of itself.
type digestFrame struct {
	Text string
	// Height is the frame's viewport height; ContentHeight is how high
	// the mail's body is laid out.
	Height, ContentHeight int
}

// digestPhoneFrame reads the document of the page's preview frame that is
// width px wide. A sandboxed frame runs in a process of its own, so it is
// not in the page's DOM: it is a target of its own, attached to here.
func digestPhoneFrame(ctx context.Context, width int) (digestFrame, error) {
	infos, err := chromedp.Targets(ctx)
	if err != nil {
		return digestFrame{}, err
	}
	var seen []string
	for _, info := range infos {
		if info.Type != "iframe" {
			continue
		}
		fctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(info.TargetID), chromedp.WithDetachOnCancel())
		f, err := chromedp.Run(fctx, chromedp.Evaluate[struct {
			Width int
			digestFrame
		}](`({Width: innerWidth, Height: innerHeight, ContentHeight: document.body ? document.body.scrollHeight : 0,
			Text: document.readyState === "complete" && document.body ? document.body.innerText : ""})`))
		cancel()
		if err != nil {
			seen = append(seen, fmt.Sprintf("%s: %v", info.URL, err))
			continue
		}
		if f.Width == width {
			return f.digestFrame, nil
		}
		seen = append(seen, fmt.Sprintf("%s: %d px wide", info.URL, f.Width))
	}
	return digestFrame{}, fmt.Errorf("no frame %d px wide among the frames in a process of their own: %v", width, seen)
}

// digestPhonePainted scrolls the phone preview into view, as an editor
// does, and counts the colours of its top 400 px in the screenshot of the
// viewport, waiting up to 5 s for the mail to be painted.
func digestPhonePainted(t *testing.T, ctx context.Context) int {
	t.Helper()
	n := 0
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		r := eval33[[]float64](t, ctx, `(function(){
			var f = document.querySelector('iframe[title="Preview at phone width"]');
			f.scrollIntoView({block: "start"});
			var b = f.getBoundingClientRect(), w = document.documentElement.clientWidth;
			return [innerWidth, Math.max(b.left, 0) + 1, b.top + 1, Math.min(b.right, w) - 1, Math.min(b.top + 400, innerHeight)];
		})()`)
		shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		img, err := png.Decode(bytes.NewReader(shot))
		if err != nil {
			t.Fatal(err)
		}
		scale := float64(img.Bounds().Dx()) / r[0]
		at := func(x float64) int { return int(x * scale) }
		if n = digestColours(img, image.Rect(at(r[1]), at(r[2]), at(r[3]), at(r[4]))); n >= digestPaintedColours {
			break
		}
	}
	return n
}

// digestColours counts the distinct colours of img within r.
func digestColours(img image.Image, r image.Rectangle) int {
	seen := map[[4]uint32]bool{}
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, ca := img.At(x, y).RGBA()
			seen[[4]uint32{cr, cg, cb, ca}] = true
		}
	}
	return len(seen)
}
