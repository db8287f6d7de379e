package web

import (
	"fmt"
	"testing"

	"github.com/bulletinhq/bulletin/internal/browsertest"
	"github.com/chromedp/chromedp"
)

// In the browser, an address refused by the add form is said between the
// address's field and the note's label, and the note, optional, does not
// stop a form sent without one; a domain stored as xn--r8jz45g.jp shows
// as 例え.jp. The page keeps to the screen on a phone and a laptop.
func TestAdminSuppressionAddInTheBrowser(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	_, a := newAdminServer(t)
	b := browser33(t)
	login33(t, b, a.base)
	for _, v := range []view33{{390, "light"}, {1280, "light"}} {
		open33(t, b, v, a.base+"/admin/suppressions")
		pages31Do(t, b, "add 例え.jp", chromedp.Evaluate[chromedp.Void](`document.getElementById("target").value = "例え.jp";
			document.getElementById("note").value = "";
			document.getElementById("target").form.requestSubmit()`),
			browsertest.WaitJS(`location.search.indexOf("q=") >= 0 && document.readyState === "complete"`, "the entry added"))
		if got := eval33[string](t, b, `(document.querySelector("table.stack code") || {}).innerText || ""`); got != "例え.jp" {
			t.Errorf("at %s the entry added without a note shows as %q, want 例え.jp", v, got)
		}
		open33(t, b, v, a.base+"/admin/suppressions")
		pages31Do(t, b, "add a bad address", chromedp.Evaluate[chromedp.Void](`document.getElementById("target").value = "not an address";
			document.getElementById("target").form.requestSubmit()`),
			browsertest.WaitJS(`document.getElementById("target-error") !== null && document.readyState === "complete"`, "the form refused"))
		if !eval33[bool](t, b, `(function () {
			var err = document.getElementById("target-error"), target = document.getElementById("target"), note = document.querySelector("label[for=note]");
			if (!err) return false;
			var e = err.getBoundingClientRect();
			return e.top >= target.getBoundingClientRect().bottom && e.bottom <= note.getBoundingClientRect().top;
		})()`) {
			t.Errorf("at %s the address's error is not between its field and the note", v)
		}
		lay37Shot(t, b, fmt.Sprintf("suppression-add-refused-%d", v.width))
		if o := eval33[string](t, b, `overflow()`); o != "" {
			t.Errorf("at %s: %s", v, o)
		}
	}
}
