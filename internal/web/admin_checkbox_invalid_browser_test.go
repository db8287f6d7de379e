package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/bulletinhq/bulletin/internal/browsertest"
	"github.com/bulletinhq/bulletin/subscribers"
)

// In a real browser: a checkbox marked aria-invalid shows it. Browsers
// draw no border on a checkbox, so the red border the text fields get
// left it looking like any other; it gets an outline in the same red. A
// checkbox not at fault, and a text field, keep their looks.
func TestInvalidCheckboxIsOutlinedInABrowser(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	s, a := newAdminServer(t)
	if err := s.Subscribers.CreateList(context.Background(), &subscribers.List{Slug: "harbour-news", Name: "Harbour News", Public: true}); err != nil {
		t.Fatal(err)
	}
	ctx := browser33(t)
	login33(t, ctx, a.base)
	// The delete form sent without its box ticked (submit() skips the
	// browser's own check of required): the page again, the box marked.
	pages31Do(t, ctx, "delete without the box", chromedp.Navigate(a.base+"/admin/lists/harbour-news"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('form[action$="/delete"]').submit()`),
		browsertest.WaitJS(`!!document.querySelector('#confirm[aria-invalid="true"]')`, "the box marked invalid"))
	outline := `(function (el) { var c = getComputedStyle(el); return c.outlineStyle + " " + c.outlineWidth + " " + c.outlineColor; })`
	err := eval33[string](t, ctx, `getComputedStyle(document.querySelector("#confirm-error")).color`)
	if got := eval33[string](t, ctx, outline+`(document.getElementById("confirm"))`); got != "solid 2px "+err {
		t.Errorf("the invalid checkbox's outline is %q, want solid 2px in the error colour %s", got, err)
	}
	// The list's own form: its Public box is not at fault.
	if got := eval33[string](t, ctx, outline+`(document.querySelector('input[type=checkbox]:not([aria-invalid])'))`); strings.HasPrefix(got, "solid") {
		t.Errorf("a checkbox not at fault is outlined: %q", got)
	}
}
