package web

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/bulletinhq/bulletin/internal/browsertest"
)

// In a real browser, on a page that runs no script: a mistyped domain
// brings the question in sight under the address, at a phone's width and
// a laptop's, light and dark, its buttons each a line of their own on a
// phone (a long address wrapping inside), nothing wider than the screen,
// and the field described by the question. Clicking "No" signs up the
// address typed; on the next signup Enter in the name field presses
// "Yes", the form's first button, and signs up the suggestion.
func TestSubscribeFormTypoQuestionInTheBrowser(t *testing.T) {
	e := newTypoEnv(t, 0)
	ctx := browser33(t)
	typed := "alexandermontgomerysmithson.the.third@hotmial.com"
	ask := func(v view33, email string) {
		t.Helper()
		open33(t, ctx, v, e.srv.URL+"/subscribe?list=daily-news")
		pages31Do(t, ctx, "sign up with "+email, chromedp.Evaluate[chromedp.Void](`document.getElementById("email").value = `+jsString(email)+`;
			document.querySelector("form button[type=submit]").click()`),
			browsertest.WaitJS(`document.readyState === "complete" && document.getElementById("email-typo") !== null`, "the question"))
	}
	for _, v := range views33 {
		ask(v, typed)
		shot36(t, ctx, "subscribe-typo", v)
		got := eval33[string](t, ctx, `(function () {
			var q = document.getElementById("email-typo"), f = document.getElementById("email");
			if (f.getAttribute("aria-describedby") !== "email-typo") return "the field is not described by the question";
			if (q.textContent !== "Did you mean alexandermontgomerysmithson.the.third@hotmail.com?") return "the question reads " + q.textContent;
			if (f.value !== `+jsString(typed)+`) return "the field holds " + f.value;
			var b = q.parentNode.querySelectorAll("button");
			if (b.length !== 2) return b.length + " buttons";
			var last = b[1].getBoundingClientRect();
			if (last.bottom > window.innerHeight) return "the second answer ends at y = " + last.bottom + " on a " + window.innerHeight + " px screen";
			if (window.innerWidth < 480) {
				var g = q.parentNode, cs = getComputedStyle(g);
				var inner = g.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
				for (var i = 0; i < b.length; i++) {
					var r = b[i].getBoundingClientRect();
					if (r.width < inner - 1) return "button " + i + " is " + r.width + " px wide in a box of " + inner;
				}
				if (b[1].getBoundingClientRect().top < b[0].getBoundingClientRect().bottom) return "the buttons overlap";
			}
			return "";
		})()`)
		if got != "" {
			t.Errorf("at %s: %s", v, got)
		}
		if o := eval33[string](t, ctx, `overflow()`); o != "" {
			t.Errorf("at %s: %s", v, o)
		}
	}
	if got := e.stored(); len(got) != 0 {
		t.Fatalf("asking stored %v", got)
	}
	// The last view's page is still shown: "No" keeps the address typed.
	pages31Do(t, ctx, "answer no", chromedp.Click(`button[name="keep-address"]`),
		browsertest.WaitJS(`location.pathname === "/subscribe/check-email"`, "the check-email page"))
	for _, v := range views33 {
		ask(v, "zoe@gmial.com")
		shot36(t, ctx, "subscribe-typo-short", v)
		if o := eval33[string](t, ctx, `overflow()`); o != "" {
			t.Errorf("zoe@gmial.com at %s: %s", v, o)
		}
	}
	// The last view's page is still shown: Enter presses "Yes".
	pages31Do(t, ctx, "press Enter", chromedp.SendKeys("#name", "Zoe"+kb.Enter),
		browsertest.WaitJS(`location.pathname === "/subscribe/check-email"`, "the check-email page"))
	want := []string{typed, "zoe@gmail.com"}
	if got := e.stored(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("stored %v, want %v", got, want)
	}
}
