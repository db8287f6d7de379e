package web

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bulletinhq/bulletin/internal/browsertest"
	"github.com/bulletinhq/bulletin/subscribers"
)

// shot36 saves a screenshot of the page shown as NAME-VIEW.png in the
// folder BULLETIN_SCREENSHOTS names, when it names one, for a person to
// look at.
func shot36(t *testing.T, ctx context.Context, name string, v view33) {
	t.Helper()
	dir := os.Getenv("BULLETIN_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	file := name + "-" + strings.NewReplacer(" ", "", ",", "-").Replace(v.String()) + ".png"
	if err := os.WriteFile(filepath.Join(dir, file), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A reader's own long address wraps inside the card on every page that
// shows it, and so does an archived subject of one long word on the
// archive's index, at a phone's width and a laptop's, light and dark:
// "Stop all mail to alexandermontgomerysmithson@…?" made the unsubscribe
// page 649 px wide on a 390 px screen, a 245-character address 2,281 px,
// and a 120-character subject the archive 1,216 px.
func TestReader36LongWordsWrapOnThePublicPages(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	e := newSubEnv(t, 0)
	_, issue := seedGolden(t, e)
	subject := strings.Repeat("Supercalifragilistic", 6) // 120 characters, no space
	if _, err := e.db.Write.Exec(`UPDATE campaigns SET subject = ? WHERE id = ?`, subject, issue); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 48) + ".com"
	if len(long) != 245 {
		t.Fatalf("the long address is %d characters", len(long))
	}
	ts := httptest.NewServer(e.h)
	t.Cleanup(ts.Close)
	type page struct{ name, path, shows string }
	var pages, erasePages []page
	for n, addr := range []string{"alexandermontgomerysmithson@universitycollegelondon.ac.uk", long} {
		sub, err := e.store.Create(context.Background(), &subscribers.NewSubscriber{Email: addr, Name: strings.Repeat("Montgomery", 10),
			Status: subscribers.StatusConfirmed, Lists: []string{"daily-news", "weekend-culture"}})
		if err != nil {
			t.Fatal(err)
		}
		suffix := []string{"", "-245"}[n]
		pages = append(pages,
			page{"unsubscribe" + suffix, "/unsubscribe/" + e.signer.Sign(subscribers.TokenUnsubscribe, sub.ID, 0), addr},
			page{"preferences" + suffix, "/preferences/" + e.signer.Sign(subscribers.TokenPreferences, sub.ID, 0), addr})
		pages = append(pages, page{"preferences-data-link" + suffix, "/preferences/" + e.signer.Sign(subscribers.TokenPreferences, sub.ID, 0) + "/erase", addr})
		erasePages = append(erasePages, page{"preferences-erase" + suffix, "/erase/" + e.signer.SignUntil(subscribers.TokenDataErase, sub.ID, time.Now().Add(time.Hour)), addr})
	}
	pages = append(append(pages, page{"archive", "/archive", subject}), erasePages...)
	ctx := browser33(t)
	for _, p := range pages {
		for _, v := range views33 {
			open33(t, ctx, v, ts.URL+p.path)
			if !eval33[bool](t, ctx, `document.body.innerText.indexOf(`+jsString(p.shows)+`) >= 0`) {
				t.Fatalf("%s does not show %s", p.name, p.shows)
			}
			shot36(t, ctx, p.name, v)
			if o := eval33[string](t, ctx, `overflow()`); o != "" {
				t.Errorf("%s at %s: %s", p.name, v, o)
			}
		}
	}
	// The unsubscribe page's button leads to its done page, which the
	// link then shows.
	open33(t, ctx, views33[0], ts.URL+pages[3].path)
	pages31Do(t, ctx, "unsubscribe", chromedp.Evaluate[chromedp.Void](`document.querySelector("form button").click()`),
		browsertest.WaitJS(`document.querySelector("h1") && document.querySelector("h1").textContent === "You are unsubscribed"`, "the done page"))
	for _, v := range views33 {
		open33(t, ctx, v, ts.URL+pages[3].path)
		shot36(t, ctx, "unsubscribe-done", v)
		if o := eval33[string](t, ctx, `overflow()`); o != "" {
			t.Errorf("unsubscribe done at %s: %s", v, o)
		}
	}
	// The erase page's button leads to the page saying it is done, which
	// a reload would not show again (the reader is gone): each reader's
	// is seen once, one at a phone's width, one at a laptop's.
	for i, v := range []view33{views33[0], views33[3]} {
		open33(t, ctx, v, ts.URL+erasePages[i].path)
		pages31Do(t, ctx, "delete my data", chromedp.Evaluate[chromedp.Void](`document.querySelector("form button").click()`),
			browsertest.WaitJS(`document.querySelector("h1") && document.querySelector("h1").textContent === "Your data is deleted"`, "the done page"))
		shot36(t, ctx, "preferences-erase-done", v)
		if o := eval33[string](t, ctx, `overflow()`); o != "" {
			t.Errorf("erase done at %s: %s", v, o)
		}
	}
}

// jsString quotes s as a JavaScript string literal; s holds no quote or
// backslash.
func jsString(s string) string { return `"` + s + `"` }

// A signup refused on a phone (390 × 844) says so in sight, before any
// scrolling, in the title and in an error summary whose link leads to
// the field at fault; it sat under the lists, at y ≈ 688, and the title
// did not change.
func TestReader36RefusedSignupInSight(t *testing.T) {
	e := newSubEnv(t, 0)
	ts := httptest.NewServer(e.h)
	t.Cleanup(ts.Close)
	ctx := browser33(t)
	for _, v := range views33 {
		open33(t, ctx, v, ts.URL+"/subscribe")
		pages31Do(t, ctx, "sign up without a list", chromedp.Evaluate[chromedp.Void](`document.getElementById("email").value = "ann@example.org";
			document.querySelector("form button[type=submit]").click()`),
			browsertest.WaitJS(`document.readyState === "complete" && document.getElementById("lists-error") !== null`, "the refused form"))
		shot36(t, ctx, "subscribe-no-list", v)
		if title := eval33[string](t, ctx, `document.title`); !strings.HasPrefix(title, "Error: ") {
			t.Errorf("at %s: title %q", v, title)
		}
		got := eval33[string](t, ctx, `(function () {
			var s = document.querySelector(".error-summary[role=alert]");
			if (!s) return "no error summary";
			var b = s.getBoundingClientRect();
			if (b.bottom > window.innerHeight) return "the summary ends at y = " + b.bottom + " on a " + window.innerHeight + " px screen";
			var a = s.querySelector("a");
			if (!a || !document.getElementById(a.getAttribute("href").slice(1))) return "the summary links nothing on the page";
			return "";
		})()`)
		if got != "" {
			t.Errorf("at %s: %s", v, got)
		}
		if o := eval33[string](t, ctx, `overflow()`); o != "" {
			t.Errorf("at %s: %s", v, o)
		}
	}
}

// The pages this round added or changed for readers hold at a phone's
// width and a laptop's, light and dark: the page of an erased reader's
// preferences link, and the one-list embed's form refused and sent back
// as itself, submitted from the embed page's preview.
func TestReader36NewPagesInTheBrowser(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	e := newSubEnv(t, 0)
	id := e.addConfirmed("gone@example.org")
	if err := e.store.Erase(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(e.h)
	t.Cleanup(ts.Close)
	e.srv.BaseURL = ts.URL // the snippet posts to the public URL
	ctx := browser33(t)
	for _, v := range views33 {
		open33(t, ctx, v, ts.URL+"/preferences/"+e.signer.Sign(subscribers.TokenPreferences, id, 0))
		if h := eval33[string](t, ctx, `document.querySelector("h1").textContent`); h != "The address of this link was erased" {
			t.Errorf("at %s: the erased reader's preferences link shows %q", v, h)
		}
		shot36(t, ctx, "erased-preferences", v)
		if o := eval33[string](t, ctx, `overflow()`); o != "" {
			t.Errorf("erased at %s: %s", v, o)
		}

		open33(t, ctx, v, ts.URL+"/subscribe/embed?list=weekend-culture")
		pages31Do(t, ctx, "send the embedded form with a@b", chromedp.Evaluate[chromedp.Void](`document.querySelector(".preview #bulletin-email-weekend-culture").value = "a@b";
			document.querySelector(".preview #bulletin-name-weekend-culture").value = "Ann Lee";
			document.querySelector(".preview button[type=submit]").click()`),
			browsertest.WaitJS(`document.readyState === "complete" && document.getElementById("email-error") !== null`, "the refused form"))
		shot36(t, ctx, "embed-one-list-refused", v)
		got := eval33[string](t, ctx, `[document.title.indexOf("Error: ") === 0, document.getElementById("email").value, document.getElementById("name").value,
			document.querySelectorAll("input[type=checkbox]").length, document.querySelector("form").innerText.indexOf("You are signing up for Weekend Culture.") >= 0].join("|")`)
		if got != "true|a@b|Ann Lee|0|true" {
			t.Errorf("at %s: the refused one-list form (error title|email|name|checkboxes|names its list) is %s", v, got)
		}
		if o := eval33[string](t, ctx, `overflow()`); o != "" {
			t.Errorf("refused one-list form at %s: %s", v, o)
		}
	}
}
