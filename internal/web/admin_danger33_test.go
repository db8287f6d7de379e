package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// contrastJS is the contrast ratio of the text of the element matching a
// selector (%s) on its own background, 0 when there is no such element.
const contrastJS = `(function (el) {
	if (!el) return 0;
	var s = getComputedStyle(el);
	return contrast(s.color, s.backgroundColor);
})(document.querySelector(`

// The danger buttons' text reads on their red, 4.5:1 at least (WCAG AA),
// in light and dark mode: in dark mode it was white on a light red,
// 2.3:1. The feeds' Delete, a link styled as a button, is one of them.
func TestDangerButtonsReadInBothModes33(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	_, a, db := newFeedAdmin31(t, true)
	src, _ := testFeed(t, 200, testRSS)
	if resp := a.post("/admin/feeds", url.Values{"csrf": {a.csrfOf("/admin/feeds")}, "url": {src.URL + "/feed.xml"}, "list": {"daily-news"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add a feed = %d", resp.StatusCode)
	}
	sub, err := subscribers.NewStore(db).Create(context.Background(), &subscribers.NewSubscriber{Email: "ada@example.com", Lists: []string{"daily-news"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := browser33(t)
	login33(t, ctx, a.base)
	for _, page := range []struct{ path, button string }{
		{"/admin/subscribers/" + strconv.FormatInt(sub.ID, 10), "button.danger"}, // Erase for good
		{"/admin/lists/daily-news", "button.danger"},                             // Delete list
		{"/admin/feeds", `a[href$="/delete"]`},                                   // Delete
	} {
		for _, v := range views33 {
			open33(t, ctx, v, a.base+page.path)
			if got := eval33[float64](t, ctx, contrastJS+"'"+page.button+"'))"); got < 4.5 {
				t.Errorf("%s at %s: the danger button's text has a contrast of %.2f:1 on its red, want 4.5:1 at least", page.path, v, got)
			}
		}
	}
}
