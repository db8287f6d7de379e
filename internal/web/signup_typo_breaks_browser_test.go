package web

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/bulletinhq/bulletin/internal/browsertest"
)

// typoBreaksJS lists, for the question and each of its buttons, the
// places its text wraps at that are not between words, before an @ or
// after a dot or a hyphen (a break a browser makes of itself, the hyphen
// shown): "gmail.c|om". Each line's first character is found by
// the top of its box, one character at a time.
const typoBreaksJS = `(function () {
	var bad = [], box = document.getElementById("email-typo").parentNode;
	[document.getElementById("email-typo")].concat(Array.prototype.slice.call(box.querySelectorAll("button"))).forEach(function (el) {
		var text = "", tops = [], w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT), n;
		while ((n = w.nextNode())) {
			for (var i = 0; i < n.data.length; i++) {
				var r = document.createRange();
				r.setStart(n, i);
				r.setEnd(n, i + 1);
				var rect = r.getClientRects()[0];
				text += n.data[i];
				tops.push(rect ? Math.round(rect.top) : tops[tops.length - 1]);
			}
		}
		for (var i = 1; i < text.length; i++) {
			if (tops[i] > tops[i - 1] && !/\s/.test(text[i - 1]) && text[i] !== "@" && text[i - 1] !== "." && text[i - 1] !== "-") {
				bad.push(text.slice(0, i) + "|" + text.slice(i));
			}
		}
	});
	return bad;
})()`

// The question asked of a mistyped address, and its buttons, wrap an
// address at a phone's width where it reads well, before the @ or after a
// dot, never mid-word: "Yes, use Jane.Doe@gmail.c" then "om" at 320 px.
func TestSubscribeTypoAddressesWrapAtTheirParts(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	e := newTypoEnv(t, 0)
	ctx := browser33(t)
	views := append([]view33{{320, "light"}, {320, "dark"}}, views33...)
	for _, email := range []string{"Jane.Doe@gmial.com", "christopher.montgomery@hotmial.com", "mary-jane.watson-parker@yahooo.co.uk"} {
		for _, v := range views {
			open33(t, ctx, v, e.srv.URL+"/subscribe?list=daily-news")
			pages31Do(t, ctx, "sign up with "+email, chromedp.Evaluate[chromedp.Void](`document.getElementById("email").value = `+jsString(email)+`;
				document.querySelector("form button[type=submit]").click()`),
				browsertest.WaitJS(`document.readyState === "complete" && document.getElementById("email-typo") !== null`, "the question"))
			shot36(t, ctx, "typo-"+email, v)
			if bad := eval33[[]string](t, ctx, typoBreaksJS); len(bad) > 0 {
				t.Errorf("%s at %s: wraps mid-word: %q", email, v, bad)
			}
			if o := eval33[string](t, ctx, `overflow()`); o != "" {
				t.Errorf("%s at %s: %s", email, v, o)
			}
		}
	}
}
