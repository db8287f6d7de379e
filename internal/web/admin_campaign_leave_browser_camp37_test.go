package web

import (
	"context"
	"sync"
	"testing"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/bulletinhq/bulletin/internal/browsertest"
)

// leaveDialogs37 counts the "leave this page?" questions the browser of
// ctx asks, answering each: stay when stay is true, else leave.
type leaveDialogs37 struct {
	mu    sync.Mutex
	asked int
	stay  bool
}

func (d *leaveDialogs37) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.asked
}

func (d *leaveDialogs37) answer(stay bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stay = stay
}

// watch answers the dialogs of ctx's page until ctx ends.
func (d *leaveDialogs37) watch(t *testing.T, ctx context.Context) {
	for ev, err := range chromedp.Events(ctx, cdppage.JavascriptDialogOpening) {
		if err != nil {
			return
		}
		d.mu.Lock()
		if ev.Type == cdppage.DialogTypeBeforeunload {
			d.asked++
		}
		accept := !d.stay || ev.Type != cdppage.DialogTypeBeforeunload
		d.mu.Unlock()
		go func() {
			if _, err := chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: accept}); err != nil && ctx.Err() == nil {
				t.Errorf("answer the dialog: %v", err)
			}
		}()
	}
}

// In a real browser, the new and edit campaign forms ask before they are
// left with a change not saved, and only then: not when nothing changed,
// not when the form is submitted; a form shown again with what was
// posted (a preview) asks even before a change. Staying keeps the text.
func TestCampaignFormAsksBeforeLeaving_camp37(t *testing.T) {
	a, _, _, token := camp37Server(t, nil)
	page37, _ := createCampaign(t, a, token, `{"subject":"Pier","body":"Hi","lists":["news"]}`)
	ctx := pages31Browser(t, a)
	d := &leaveDialogs37{stay: true}
	go d.watch(t, ctx)
	open := func(path string) {
		t.Helper()
		pages31Do(t, ctx, "open "+path, chromedp.EmulateViewport(1280, 900, chromedp.EmulatePortrait), chromedp.Navigate(a.base+path),
			browsertest.WaitJS(`document.readyState === "complete" && !!document.getElementById("campaign-form")`, "the form"))
	}
	back := chromedp.CSS(`main a[href="/admin/campaigns"], main a[href="` + page37 + `"]`)
	heading := chromedp.CSS("h1")

	for _, path := range []string{"/admin/campaigns/new", page37 + "/edit"} {
		// Nothing changed (a click in the page first, so the browser may ask).
		open(path)
		pages31Do(t, ctx, "leave "+path+" unchanged", chromedp.Click(heading), chromedp.Click(back),
			browsertest.WaitJS(`!document.getElementById("campaign-form")`, "the page after the form"))
		if n := d.count(); n != 0 {
			t.Fatalf("%s asked %d times before it was left unchanged", path, n)
		}

		// A field changed: it asks, and staying keeps what was typed.
		open(path)
		pages31Do(t, ctx, "type in "+path, chromedp.SendKeys(chromedp.CSS("#subject"), " news"), chromedp.Click(back))
		pages31Do(t, ctx, "stay on "+path, browsertest.WaitJS(`document.getElementById("subject").value.indexOf(" news") >= 0`, "the text kept"))
		if n := d.count(); n != 1 {
			t.Fatalf("%s asked %d times before it was left with a change, want 1", path, n)
		}

		// Submitted: it does not ask.
		pages31Do(t, ctx, "save "+path, chromedp.Evaluate[chromedp.Void](`document.querySelector('input[name="lists"][value="news"]').checked = true`),
			chromedp.Click(chromedp.CSS(`button[value="save"]`)), browsertest.WaitJS(`!document.getElementById("campaign-form")`, "the saved campaign's page"))
		if n := d.count(); n != 1 {
			t.Fatalf("%s asked before it was submitted (%d questions)", path, n)
		}
		d.mu.Lock()
		d.asked = 0
		d.mu.Unlock()
	}

	// A preview shows the form with what was posted, not saved: leaving
	// it asks before any change.
	open(page37 + "/edit")
	pages31Do(t, ctx, "preview", chromedp.SendKeys(chromedp.CSS("#subject"), "!"), chromedp.Click(chromedp.CSS(`button[value="preview"]`)),
		browsertest.WaitJS(`document.readyState === "complete" && !!document.querySelector('iframe') && !!document.getElementById("campaign-form")`, "the preview"))
	d.answer(false)
	pages31Do(t, ctx, "leave the preview", chromedp.Click(heading), chromedp.Click(back),
		browsertest.WaitJS(`!document.getElementById("campaign-form")`, "the page after the form"))
	if n := d.count(); n != 1 {
		t.Errorf("the previewed form asked %d times before it was left, want 1", n)
	}
}
