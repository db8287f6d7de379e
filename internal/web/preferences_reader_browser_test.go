package web

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// The preferences page of a reader with an Arabic name, a list waiting
// for their confirmation and digests of set hours, at a phone's width
// and a laptop's, light and dark: the name is edited right to left, the
// waiting list's note and the digest choices' hours are in sight in the
// muted type of the notes around them, and nothing is wider than the
// screen.
func TestPreferencesReaderPageInTheBrowser(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	e := newSubEnv(t, 0)
	ctx := context.Background()
	for _, l := range []struct {
		slug, digest, day, zone string
		hour                    int
	}{{"daily-news", "daily", "friday", "Europe/London", 7}, {"weekend-culture", "weekly", "saturday", "Europe/Paris", 9}} {
		if _, err := e.store.UpdateList(ctx, l.slug, &subscribers.ListPatch{Digest: &l.digest, DigestWeekday: &l.day,
			Timezone: &l.zone, DigestHour: &l.hour}); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "noor@example.org", Name: "نور الهدى (Noor)",
		Status: subscribers.StatusConfirmed, Lists: []string{"weekend-culture"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.signups.Signup(ctx, &subscribers.Signup{Email: "noor@example.org", Lists: []string{"daily-news"}}); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(e.h)
	t.Cleanup(ts.Close)
	b := browser33(t)
	for _, v := range append([]view33{{320, "light"}}, views33...) {
		open33(t, b, v, ts.URL+"/preferences/"+e.signer.Sign(subscribers.TokenPreferences, sub.ID, 0))
		shot36(t, b, "preferences-waiting", v)
		got := eval33[string](t, b, `(function () {
			var name = document.getElementById("name");
			if (getComputedStyle(name).direction !== "rtl") return "the name is edited " + getComputedStyle(name).direction;
			var box = document.querySelector('input[value="daily-news"]'), note = box.parentNode.querySelector("span.small");
			if (!note || note.textContent.indexOf("Waiting for your confirmation") !== 0) return "Daily News has no waiting note";
			var forLine = document.getElementById("digest-for");
			var a = getComputedStyle(note), b = getComputedStyle(forLine);
			if (a.color !== b.color || a.fontSize !== b.fontSize) return "the note is " + a.color + " " + a.fontSize + ", the digest's line " + b.color + " " + b.fontSize;
			var r = note.getBoundingClientRect();
			if (r.width === 0 || r.right > document.documentElement.clientWidth) return "the note is " + r.width + " px wide, ending at " + r.right;
			if (document.querySelector('input[value="daily"]').parentNode.textContent.indexOf("07:00 (Europe/London time)") < 0) return "the daily choice says no hour";
			return overflow();
		})()`)
		if got != "" {
			t.Errorf("at %s: %s", v, got)
		}
	}
}
