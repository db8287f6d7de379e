package web

import (
	"net/http/httptest"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// noteStyles33 are the computed colour, size and font of the note that
// begins with the text %s, and of the note naming the daily lists the
// digest choice is for ("For Daily News.").
const noteStyles33 = `(function (text) {
	function find(t) { return Array.prototype.find.call(document.querySelectorAll("form p"), function (p) { return p.textContent.indexOf(t) === 0; }); }
	function style(p) { if (!p) return "none"; var s = getComputedStyle(p); return s.color + " " + s.fontSize + " " + s.fontWeight; }
	return [style(find(text)), style(find("For Daily News."))];
})(`

// On the preferences page a weekly list's schedule ("Weekend Culture: the
// weekly digest, sent on Saturdays at 00:00 UTC.") is a note like the daily lists'
// one above it, in its muted small type, in light and dark mode: it was
// in the body's colour and looked stray.
func TestPreferencesWeeklyNoteLikeTheDailyOnes33(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	e := newSubEnv(t, 0)
	sub := weeklyListReader(t, e)
	ts := httptest.NewServer(e.h)
	t.Cleanup(ts.Close)
	page := ts.URL + "/preferences/" + e.signer.Sign(subscribers.TokenPreferences, sub.ID, 0)
	b := browser33(t)
	for _, v := range views33 {
		open33(t, b, v, page)
		got := eval33[[]string](t, b, noteStyles33+`"Weekend Culture: the weekly digest, sent on Saturdays at 00:00 UTC.")`)
		if got[0] == "none" || got[0] != got[1] {
			t.Errorf("at %s: the weekly list's note is %q, the daily lists' %q; want the same", v, got[0], got[1])
		}
	}
}
