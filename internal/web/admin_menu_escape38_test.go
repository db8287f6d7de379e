package web

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The phone's menu covers the page when open: Escape closes it and puts
// the keyboard back on its button, and a tap beside it closes it; a tap
// inside it (on its own links' space) does not.
func TestAdminPhoneMenuClosesOnEscapeAndATapBeside38(t *testing.T) {
	_, a, _ := newReportAdmin(t)
	ctx := browser33(t)
	login33(t, ctx, a.base)
	open33(t, ctx, view33{390, "light"}, a.base+"/admin/settings")
	menuOpen := `document.querySelector("header details.menu").open`

	pages31Do(t, ctx, "open the menu", chromedp.Evaluate[chromedp.Void](`document.querySelector("header summary").focus(), document.querySelector("header summary").click()`))
	if !eval33[bool](t, ctx, menuOpen) {
		t.Fatal("the menu did not open on its button")
	}
	pages31Do(t, ctx, "press Escape", chromedp.KeyEvent(kb.Escape))
	if eval33[bool](t, ctx, menuOpen) {
		t.Error("Escape left the menu open")
	}
	if got := eval33[string](t, ctx, `document.activeElement.tagName`); got != "SUMMARY" {
		t.Errorf("after Escape the focus is on %s, want the menu's button", got)
	}

	pages31Do(t, ctx, "open the menu again", chromedp.Evaluate[chromedp.Void](`document.querySelector("header summary").click()`))
	pages31Do(t, ctx, "tap inside the open menu", chromedp.Evaluate[chromedp.Void](`document.querySelector("header details.menu nav").click()`))
	if !eval33[bool](t, ctx, menuOpen) {
		t.Error("a tap inside the open menu closed it")
	}
	pages31Do(t, ctx, "tap the page beside it", chromedp.Evaluate[chromedp.Void](`document.querySelector("main h1").click()`))
	if eval33[bool](t, ctx, menuOpen) {
		t.Error("a tap beside the open menu left it open")
	}
}
