package web

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bulletinhq/bulletin/internal/browsertest"
)

// pages31Browser starts a headless Chromium at phone size (390×844) for
// one test, logged in to a's server as its editor; it skips the test when
// there is no Chromium (CI installs it).
func pages31Browser(t *testing.T, a *adminClient) context.Context {
	t.Helper()
	ctx := browser33(t)
	// Chromium's window is at least 500 px wide: the phone's viewport is
	// emulated.
	pages31Do(t, ctx, "log in", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile), chromedp.Navigate(a.base+"/admin/login"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("email").value = "editor@example.com";
			document.getElementById("password").value = "correct horse battery";
			document.querySelector("form").submit()`),
		browsertest.WaitJS(`location.pathname === "/admin"`, "the dashboard"))
	return ctx
}

// pages31Do runs steps or fails the test, showing the page's text.
func pages31Do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		text := ""
		if browsertest.Running(ctx) {
			text, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		}
		t.Fatalf("%s: %v\nthe page said:\n%.1500s", what, err, text)
	}
}

// pages31Shown is true when the element with id is on the page and seen.
func pages31Shown(id string) string {
	return `(function(){var e=document.getElementById(` + strconv.Quote(id) + `);return !!e&&e.offsetParent!==null})()`
}

// phoneFits is "" when the phone preview and the page fit the screen,
// else what sticks out.
const phoneFits = `(function(){
	var w = document.documentElement.clientWidth, f = document.querySelector('iframe[title="Preview at phone width"]');
	if (!f) return "no phone frame";
	var r = f.getBoundingClientRect();
	if (r.right > w + 0.5) return "the phone frame ends at " + r.right + " px on a " + w + " px screen";
	if (document.documentElement.scrollWidth > w) return "the page is " + document.documentElement.scrollWidth + " px wide";
	return "";
})()`

// In a real browser: a scheduled campaign's page says who it will go to,
// with no progress, and its phone preview fits a 390 px screen; when the
// campaign starts sending, its script reloads the page, which then shows
// the progress and keeps it up to date. A draft sent from its page through
// the confirmation does the same, its "sending" banner said once: a reload
// by hand does not show it again. At 1280 px the phone preview is 390 px.
func TestCampaignPages31InABrowser(t *testing.T) {
	t.Parallel()           // its own server and browser tab: it runs beside the other browser tests
	e := newProgressEnv(t) // "Big news", a draft to 1,200 readers
	if code, got := apiCall(t, e.a.base, e.token, "PATCH", e.api, `{"send_at":"2099-01-01T09:00:00Z"}`); code != 200 || got["status"] != "scheduled" {
		t.Fatalf("schedule = %d %v", code, got)
	}
	draft := e.another("Second news")
	ctx := pages31Browser(t, e.a)

	pages31Do(t, ctx, "the scheduled campaign", chromedp.Navigate(e.a.base+e.page), browsertest.WaitJS(pages31Shown("reach"), "who it will go to"))
	seen, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[document.getElementById("reach").innerText,
		String(!`+pages31Shown("sent")+`), String(!document.getElementById("rates"))]`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Scheduled for 1 January 2099, 09:00 UTC. Will reach 1,200 readers (the confirmed readers of its list, as of now)"; seen[0] != want || seen[1] != "true" || seen[2] != "true" {
		t.Errorf("the scheduled campaign's page says %q (progress hidden: %s, no rates: %s), want %q and neither", seen[0], seen[1], seen[2], want)
	}
	if out, err := chromedp.Run(ctx, chromedp.Evaluate[string](phoneFits)); err != nil || out != "" {
		t.Errorf("at 390 px: %s %v", out, err)
	}

	e.step("send")
	// The script polls every 1.5 s: a page that has not reloaded in 20 s
	// never will.
	soon, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	pages31Do(t, soon, "the page reloaded once sending started", browsertest.WaitJS(pages31Shown("sent")+` && document.getElementById("status").textContent === "sending"`, "the progress"))
	e.fanout()
	e.markSent(200)
	pages31Do(t, ctx, "the live progress", browsertest.WaitJS(`document.getElementById("sent").textContent === "200" && document.getElementById("total").textContent === "1,200"`, "200 of 1,200 sent"))

	pages31Do(t, ctx, "send a draft from its page", chromedp.Navigate(e.a.base+draft.page), browsertest.WaitJS(pages31Shown("reach"), "the draft"),
		chromedp.Evaluate[chromedp.Void](`location.href = document.querySelector('a[href$="/send"]').href`),
		browsertest.WaitJS(`location.pathname.endsWith("/send") && !!document.querySelector('form[action$="/send"] button')`, "the confirmation"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('form[action$="/send"] button').click()`),
		browsertest.WaitJS(`location.pathname === `+strconv.Quote(draft.page)+` && `+pages31Shown("sent"), "the sent draft's progress"))
	// The banner ("sending") is said once: the address has no query, and
	// a reload by hand shows the page without it.
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[location.search, String(!!document.querySelector(".flash"))]`)); err != nil || got[0] != "" || got[1] != "true" {
		t.Errorf("after the send the address's query is %q and a banner is shown: %v (%v); want no query and a banner", got[0], got[1], err)
	}
	pages31Do(t, ctx, "the sent draft reloaded", chromedp.Evaluate[chromedp.Void](`location.reload()`),
		browsertest.WaitJS(`document.readyState === "complete" && `+pages31Shown("sent")+` && !document.querySelector(".flash")`, "the page without its banner"))
	draft.fanout()
	draft.markSent(300)
	pages31Do(t, ctx, "the sent draft's live progress", browsertest.WaitJS(`document.getElementById("sent").textContent === "300"`, "300 sent"))

	pages31Do(t, ctx, "a laptop's width", chromedp.EmulateViewport(1280, 900, chromedp.EmulatePortrait), chromedp.Navigate(e.a.base+e.page), browsertest.WaitJS(pages31Shown("sent"), "the page"))
	if w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelector('iframe[title="Preview at phone width"]').clientWidth`)); err != nil || w != 390 {
		t.Errorf("at 1280 px the phone preview is %d px wide (%v), want 390", w, err)
	}
}
