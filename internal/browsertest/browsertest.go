// Package browsertest holds what the tests driving headless Chromium
// (chromedp) in several packages share. Only tests import it.
package browsertest

import (
	"context"
	"fmt"
	"time"

	"github.com/chromedp/chromedp"
)

// WaitJS polls the JavaScript expression js until it is true, or fails
// naming what it waited for when the context ends. Errors while polling
// are expected, as a page being replaced cannot answer, and are polled
// past.
func WaitJS(js, what string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for {
			if ok, err := chromedp.Evaluate[bool](js)(ctx, tg); err == nil && ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// Running is true when ctx's chromedp context has its browser. A failed
// step may mean Chromium never started (too slow to answer on a loaded
// machine): running anything more on that context, even to read the page
// for the failure message, would start a second browser for it, and
// chromedp panics when both stop ("close of closed channel").
func Running(ctx context.Context) bool {
	c := chromedp.FromContext(ctx)
	return c != nil && c.Browser != nil
}
