package web

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/bulletinhq/bulletin/internal/browsertest"
)

// browser33 opens a tab for one test in the package's headless Chromium,
// in a browser context of its own (its own cookies and storage, so no
// test is logged in by another's), logged in to nothing; it skips the test
// when there is no Chromium (CI installs it). The browser itself starts
// once for the package (sharedChromium): starting one a test took a second
// or more of CI's time each, thirty times over.
func browser33(t *testing.T) context.Context {
	t.Helper()
	exe := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			exe = p
			break
		}
	}
	if exe == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed; .ci/run installs it")
		}
		t.Skip("chromium not installed (apt-get install -y chromium)")
	}
	bctx, err := sharedChromium.get(exe)
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancel := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // opens the tab
		t.Fatalf("open a chromium tab: %v", err)
	}
	ctx, cancel = context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// sharedChromium is the package's one headless Chromium, started by the
// first browser test and stopped by TestMain. A browser that died (its
// context is done) is started again for the next test.
var sharedChromium chromium

type chromium struct {
	mu      sync.Mutex
	ctx     context.Context // the browser's first tab; tests open theirs from it
	stop    func()
	profile string
}

func (c *chromium) get(exe string) (context.Context, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ctx != nil && c.ctx.Err() == nil {
		return c.ctx, nil
	}
	c.close()
	dir, err := os.MkdirTemp("", "bulletin-chromium-")
	if err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.Headless,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(dir))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	c.ctx, c.profile = ctx, dir
	c.stop = func() { cancelCtx(); cancelAlloc() }
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		c.close()
		return nil, err
	}
	return ctx, nil
}

// close stops the browser, if one runs, and removes its profile.
func (c *chromium) close() {
	if c.stop != nil {
		c.stop()
		c.stop = nil
	}
	if c.profile != "" {
		os.RemoveAll(c.profile)
		c.profile = ""
	}
	c.ctx = nil
}

// login33 logs the browser in to the admin at base as the test servers'
// editor.
func login33(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	pages31Do(t, ctx, "log in", chromedp.Navigate(base+"/admin/login"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("email").value = "editor@example.com";
			document.getElementById("password").value = "correct horse battery";
			document.querySelector("form").submit()`),
		browsertest.WaitJS(`location.pathname === "/admin"`, "the dashboard"))
}

// A view33 is how a page is looked at: a phone (390 px) or a laptop
// (1280 px), in the light or the dark colour scheme.
type view33 struct {
	width  int64
	scheme string
}

func (v view33) String() string { return fmt.Sprintf("%d px, %s", v.width, v.scheme) }

// views33 are the four views every page is checked in.
var views33 = []view33{{390, "light"}, {390, "dark"}, {1280, "light"}, {1280, "dark"}}

// open33 shows url in view v and waits for it to load.
func open33(t *testing.T, ctx context.Context, v view33, url string) {
	t.Helper()
	params := emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: v.scheme}}}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, params); err != nil {
		t.Fatal(err)
	}
	size := chromedp.EmulateViewport(v.width, 900, chromedp.EmulatePortrait)
	if v.width < 600 {
		size = chromedp.EmulateViewport(v.width, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile)
	}
	pages31Do(t, ctx, "open "+url+" at "+v.String(), size, chromedp.Navigate(url),
		browsertest.WaitJS(`document.readyState === "complete"`, "the page"))
}

// eval33 evaluates the JavaScript expression js, with measure33's
// functions at hand, or fails the test.
func eval33[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](`(function(){`+measure33+`return (`+js+`);})()`))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// measure33 are functions the tests' JavaScript measures pages with:
// lines(el), how many lines el's text takes; contrast(a, b), the WCAG
// contrast ratio of two computed colours; overflow(), what sticks out
// sideways of the screen or of a card ("" when nothing does).
const measure33 = `
function lines(el) {
	var r = document.createRange(), tops = {};
	r.selectNodeContents(el);
	Array.prototype.forEach.call(r.getClientRects(), function (b) { if (b.width > 0) tops[Math.round(b.top)] = true; });
	return Object.keys(tops).length;
}
function luminance(c) {
	var m = c.match(/[\d.]+/g).map(Number);
	return [0.2126, 0.7152, 0.0722].reduce(function (sum, w, i) {
		var v = m[i] / 255;
		return sum + w * (v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
	}, 0);
}
function contrast(a, b) {
	var x = luminance(a), y = luminance(b);
	return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}
function overflow() {
	var w = document.documentElement.clientWidth;
	if (document.documentElement.scrollWidth > w) return "the page is " + document.documentElement.scrollWidth + " px wide on a " + w + " px screen";
	var cards = document.querySelectorAll(".card");
	for (var i = 0; i < cards.length; i++) {
		if (cards[i].scrollWidth > cards[i].clientWidth + 1) return "a card scrolls sideways: " + cards[i].innerText.slice(0, 60);
	}
	return "";
}
`
