package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// labelBreaks is JavaScript that returns where the digest choices' labels
// wrap other than between words, or inside a time zone's name (the text
// between "(" and " time)") other than after a "/", each as "before|after",
// or "" when they wrap only there.
const labelBreaks = `(function () {
	var bad = [];
	document.querySelectorAll('input[name="frequency"] + span').forEach(function (el) {
		var chars = [], w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT), n;
		while ((n = w.nextNode())) for (var i = 0; i < n.data.length; i++) chars.push({node: n, i: i});
		var text = chars.map(function (c) { return c.node.data[c.i]; }).join(""), inZone = [], re = /\(([^()]*) time\)/g, m;
		while ((m = re.exec(text))) for (var k = m.index + 1; k <= m.index + m[1].length; k++) inZone[k] = true;
		var prevTop = null;
		chars.forEach(function (c, k) {
			var r = document.createRange();
			r.setStart(c.node, c.i);
			r.setEnd(c.node, c.i + 1);
			var rects = r.getClientRects();
			if (!rects.length || /\s/.test(text[k])) return;
			if (prevTop !== null && rects[0].top > prevTop + 4) {
				var ok = inZone[k] ? text[k - 1] === "/" : /\s/.test(text[k - 1]);
				if (!ok) bad.push(text.slice(Math.max(0, k - 14), k) + "|" + text.slice(k, k + 14));
			}
			prevTop = rects[0].top;
		});
	});
	return bad.join("; ");
})()`

// On a phone the digest choices' labels wrapped inside the names of time
// zones: "(America/Argentina/Bueno" then "s Aires time)", "Port-" then
// "au-Prince", "(America/North" then "Dakota/New Salem". They wrap between
// words, and a zone's name only after a "/", at a small phone's width, a
// phone's and a laptop's, light and dark, and nothing is wider than the
// screen. The text is the same: "07:00 (America/Argentina/Buenos Aires
// time)".
func TestPreferencesDigestZoneWrapsInTheBrowser(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	e := newSubEnv(t, 0)
	ctx := context.Background()
	schedule := func(slug, day, zone string, hour int) {
		t.Helper()
		digest := "daily"
		if _, err := e.store.UpdateList(ctx, slug, &subscribers.ListPatch{Digest: &digest, DigestWeekday: &day,
			Timezone: &zone, DigestHour: &hour}); err != nil {
			t.Fatal(err)
		}
	}
	_, page := e.prefsReader("ann@example.org", "weekly", "daily-news", "weekend-culture")
	ts := httptest.NewServer(e.h)
	t.Cleanup(ts.Close)
	b := browser33(t)
	check := func(name string) {
		t.Helper()
		for _, v := range append([]view33{{320, "light"}, {360, "light"}}, views33...) {
			open33(t, b, v, ts.URL+page)
			shot36(t, b, "preferences-"+name, v)
			if got := eval33[string](t, b, labelBreaks); got != "" {
				t.Errorf("%s at %s: the labels wrap inside a word or a zone's name: %s", name, v, got)
			}
			if got := eval33[string](t, b, `overflow()`); got != "" {
				t.Errorf("%s at %s: %s", name, v, got)
			}
			text := eval33[string](t, b, `document.querySelector('input[value="daily"] + span').textContent`)
			if want := "07:00 (America/Argentina/Buenos Aires time)"; !strings.Contains(text, want) {
				t.Errorf("%s at %s: the daily choice reads %q, want it to say %q", name, v, text, want)
			}
		}
	}

	// One daily list: "Daily, at 07:00 (America/Argentina/Buenos Aires time)".
	schedule("daily-news", "wednesday", "America/Argentina/Buenos_Aires", 7)
	check("digest-one-zone")
	// Three, each at its own hour, in its own zone.
	schedule("weekend-culture", "saturday", "America/North_Dakota/New_Salem", 18)
	if err := e.store.CreateList(ctx, &subscribers.List{Slug: "port-log", Name: "Port Log", Public: true, Digest: "daily",
		DigestHour: 6, DigestWeekday: "friday", Timezone: "America/Port-au-Prince"}); err != nil {
		t.Fatal(err)
	}
	check("digest-three-zones")
}
