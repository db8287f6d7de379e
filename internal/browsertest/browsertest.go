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
