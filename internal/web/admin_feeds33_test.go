package web

import (
	"testing"
)

// feedHelp33 is "" when no line of the add form's help text is beside
// the Add feed button, else the first that is.
const feedHelp33 = `(function () {
	var button = Array.prototype.find.call(document.querySelectorAll("button"), function (b) { return b.textContent === "Add feed"; });
	var help = Array.prototype.find.call(document.querySelectorAll("form p, form span"), function (e) { return e.textContent.trim().indexOf("It is fetched once now") === 0; });
	if (!button || !help) return "no button or no help";
	var b = button.getBoundingClientRect(), r = document.createRange();
	r.selectNodeContents(help);
	var beside = Array.prototype.find.call(r.getClientRects(), function (l) { return l.width > 0 && l.bottom > b.top + 1 && l.top < b.bottom - 1; });
	return beside ? "a line of the help runs from " + beside.left + " px, level with the button" : "";
})()`

// The feeds page's long help under the add form is a paragraph of its
// own, not text that wraps around the Add feed button.
func TestFeedHelpIsNotBesideTheButton33(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	_, a, _ := newFeedAdmin31(t, true)
	ctx := browser33(t)
	login33(t, ctx, a.base)
	for _, v := range views33 {
		open33(t, ctx, v, a.base+"/admin/feeds")
		if got := eval33[string](t, ctx, feedHelp33); got != "" {
			t.Errorf("at %s: %s", v, got)
		}
	}
}
