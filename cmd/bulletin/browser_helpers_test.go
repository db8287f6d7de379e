package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bulletinhq/bulletin/internal/browsertest"
)

// browser is one headless Chromium for a journey test, with the helpers
// its steps share: do runs actions or fails the test, heading waits for a
// page, shot keeps screenshots in BULLETIN_SCREENSHOTS under a step
// number. With no folder named nobody would see them: the shots, and the
// second width they are taken at, are skipped (they were a third of the
// publisher's journey).
type browser struct {
	t     *testing.T
	ctx   context.Context // the journey's context, for steps outside do
	root  context.Context // ctx without the time limit, for the last look
	limit time.Duration   // the time one call of do may take
	shots string
	step  int
}

// newBrowser starts Chromium at 390×844, the phone width every page must
// work at. Each call of do must finish within limit, and every call on
// b.ctx within ten of them: a bound on the journey as a whole would fail a
// long journey on a loaded machine (the publisher's took 83 s on a quiet
// one and over 120 s in a CI run) while a step that hangs is caught by its
// own.
func newBrowser(t *testing.T, limit time.Duration) *browser {
	t.Helper()
	exe := chromium(t)
	shots := os.Getenv("BULLETIN_SCREENSHOTS")
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.Headless,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(390, 844))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // starts the browser on ctx, without a timeout
		t.Fatalf("start chromium: %v", err)
	}
	root := ctx
	ctx, cancel = context.WithTimeout(ctx, 10*limit)
	t.Cleanup(cancel)
	return &browser{t: t, ctx: ctx, root: root, limit: limit, shots: shots}
}

// do runs steps, failing the test with what when one fails, after a
// screenshot of the page as it was then and its text.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	step, cancel := context.WithTimeout(b.ctx, b.limit)
	defer cancel()
	if err := chromedp.Do(step, steps...); err != nil {
		ctx, cancel := context.WithTimeout(b.root, 5*time.Second)
		defer cancel()
		text := ""
		if browsertest.Running(b.root) {
			text, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
			chromedp.Do(ctx, b.shot("failed"))
		}
		b.t.Fatalf("%s: %v\nthe page said:\n%.2000s", what, err, text)
	}
}

// doAgain is do for steps that open their page first and may run twice:
// when Chrome drops a node chromedp found (a document replaced under a
// loaded machine: "Could not find node with given id"), the steps run
// once more from their navigation before the test fails.
func (b *browser) doAgain(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	step, cancel := context.WithTimeout(b.ctx, b.limit)
	defer cancel()
	if err := chromedp.Do(step, steps...); err != nil {
		if !strings.Contains(err.Error(), "Could not find node with given id") {
			b.do(what, chromedp.Func(func(context.Context, *chromedp.Target) error { return err }))
		}
		b.t.Logf("%s: %v; once more", what, err)
		b.do(what, steps...)
	}
}

// shot keeps a full-page screenshot of the page as it is now.
func (b *browser) shot(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if b.shots == "" {
			return nil
		}
		png, err := chromedp.FullScreenshot(100)(ctx, tg)
		if err != nil {
			return err
		}
		b.step++
		return os.WriteFile(filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.step, name)), png, 0o644)
	})
}

// shotBoth keeps the page at phone (390 px) and laptop (1280 px) width, and
// leaves the browser at phone width.
func (b *browser) shotBoth(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if b.shots == "" {
			return nil
		}
		for _, w := range []struct {
			name          string
			width, height int64
		}{{"1280", 1280, 900}, {"390", 390, 844}} {
			opts := []chromedp.EmulateViewportOption{chromedp.EmulatePortrait}
			if w.width < 600 {
				opts = append(opts, chromedp.EmulateMobile)
			}
			for _, a := range []chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(w.width, w.height, opts...),
				chromedp.Sleep(150 * time.Millisecond), b.shot(name + "-" + w.name)} {
				if _, err := a(ctx, tg); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// heading waits until the page's h1 reads want: a click that navigates
// returns before the new page is there.
func heading(want string) chromedp.Action[chromedp.Void] {
	js := `(function(){var h=document.querySelector("h1");return !!h&&h.textContent.trim()===` + strconv.Quote(want) + `})()`
	return waitJS(js, "the heading "+strconv.Quote(want))
}

// waitJS polls js until it is true.
var waitJS = browsertest.WaitJS

// follow opens the link sel finds as a click on it would, by navigating to
// its address: a click right after a form's redirect can reach chromedp's
// view of the page before it has the new document.
func follow(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		href, err := chromedp.Evaluate[string](`document.querySelector(`+strconv.Quote(sel)+`).href`)(ctx, tg)
		if err != nil {
			return fmt.Errorf("find the link %s: %w", sel, err)
		}
		_, err = chromedp.Navigate(href)(ctx, tg)
		return err
	})
}
