package web

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/tracking"
	"github.com/bulletinhq/bulletin/mailer"
)

// lay37Shot keeps a screenshot of the page as name in
// BULLETIN_SCREENSHOTS, when that is set.
func lay37Shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("BULLETIN_SCREENSHOTS")
	if dir == "" {
		return
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
}

// lay37Menu is "" when the admin menu reads as it should at the
// screen's width, else what does not: on a phone one "Menu" button
// naming the current page, the header under 60 px, the links hidden
// until it opens and then all in sight; wider, the links in the header
// and no button.
const lay37Menu = `(function (current) {
	var bad = [], header = document.querySelector("header");
	var shown = function (el) { var r = el.getBoundingClientRect(); return el.checkVisibility() && r.width > 0 && r.height > 0; };
	var summary = header.querySelector("details summary");
	var links = Array.prototype.filter.call(header.querySelectorAll("a[href^='/admin']"), shown);
	if (document.documentElement.clientWidth > 800) {
		if (summary && shown(summary)) bad.push("a Menu button on a wide screen");
		if (links.length < 16) bad.push(links.length + " links in sight on a wide screen");
		return bad.join("; ");
	}
	var h = header.getBoundingClientRect().height;
	if (h >= 60) bad.push("the header is " + Math.round(h) + " px high");
	if (!summary || !shown(summary)) return bad.concat("no Menu button").join("; ");
	if (!/^Menu/.test(summary.textContent) || summary.textContent.indexOf(current) < 0) bad.push("the button reads " + JSON.stringify(summary.textContent) + ", not the menu and " + current);
	if (links.length > 0) bad.push(links.length + " links in sight with the menu closed");
	summary.click();
	var open = Array.prototype.filter.call(header.querySelectorAll("a[href^='/admin']"), shown);
	if (open.length < 16) bad.push(open.length + " links in sight with the menu open");
	var on = header.querySelector("details a[aria-current=page]");
	if (!on || on.textContent !== current) bad.push("the open menu marks " + (on ? JSON.stringify(on.textContent) : "nothing") + " as the current page");
	var w = document.documentElement.clientWidth;
	open.forEach(function (a) { var r = a.getBoundingClientRect(); if (r.left < 0 || r.right > w) bad.push(a.textContent + " sticks out"); });
	summary.click();
	return bad.join("; ");
})`

// On a phone the admin's 17 links are one "Menu" button naming the
// current page, opening them all; before, they took six rows (180 px) at
// the top of every page. On a laptop they stay in the header.
// BULLETIN_SCREENSHOTS=dir keeps a screenshot of each view.
func TestLay37MenuIsOneButtonOnAPhone(t *testing.T) {
	_, a, _ := newReportAdmin(t)
	ctx := browser33(t)
	login33(t, ctx, a.base)
	for _, page := range []struct{ path, current string }{{"/admin", "Dashboard"}, {"/admin/settings", "Settings"}, {"/admin/deliverability", "Deliverability"}} {
		for _, v := range views33 {
			open33(t, ctx, v, a.base+page.path)
			if o := eval33[string](t, ctx, lay37Menu+`(`+strconv.Quote(page.current)+`)`); o != "" {
				t.Errorf("%s at %s: %s", page.path, v, o)
			}
			if o := eval33[string](t, ctx, `overflow()`); o != "" {
				t.Errorf("%s at %s: %s", page.path, v, o)
			}
		}
	}
	open33(t, ctx, view33{390, "light"}, a.base+"/admin/deliverability")
	pages31Do(t, ctx, "open the menu", chromedp.Evaluate[chromedp.Void](`document.querySelector("header summary").click()`))
	lay37Shot(t, ctx, "lay37-menu-open-390")
}

// lay37Named is "" when the menu's button shows the current page's name
// whole and in sight, else how it is cut.
const lay37Named = `(function (current) {
	var summary = document.querySelector("header details summary");
	var here = Array.prototype.find.call(summary.querySelectorAll("*"), function (el) { return el.textContent === current; });
	if (!here) return "the button reads " + JSON.stringify(summary.textContent) + ", with no part that is " + current;
	if (!here.checkVisibility()) return current + " is hidden in the button";
	if (here.scrollWidth > here.clientWidth) return current + " is cut to " + here.clientWidth + " px of its " + here.scrollWidth;
	if (summary.scrollWidth > summary.clientWidth) return "the button is cut to " + summary.clientWidth + " px of its " + summary.scrollWidth;
	var r = here.getBoundingClientRect(), b = summary.getBoundingClientRect();
	if (r.left < b.left || r.right > b.right || r.right > document.documentElement.clientWidth) return current + " sticks out of its button";
	return "";
})`

// lay37HeadingAction is "" when a page heading's button ("New campaign")
// stays within the heading, else how far it reaches into the card below:
// floated right, it hung out of a heading wrapped on a phone and squeezed
// the empty list's "No campaigns yet." into a column beside it.
const lay37HeadingAction = `(function () {
	var b = document.querySelector("main h1 .button");
	if (!b) return "";
	var h = b.closest("h1").getBoundingClientRect(), r = b.getBoundingClientRect();
	if (r.bottom > h.bottom + 0.5) return "the heading's button reaches " + Math.round(r.bottom - h.bottom) + " px below the heading";
	if (r.right > document.documentElement.clientWidth) return "the heading's button sticks out";
	return "";
})()`

// On a phone the menu's button names the current page whole, beside a
// publication's name of two words: it read "Menu: D…", cut to its
// first letter, so an editor could not tell which page was open. The
// word "Menu" may go from sight there, but not from the button's name.
func TestLay37MenuNamesTheCurrentPageWhole(t *testing.T) {
	q := queuetest.Embedded(t)
	out, err := mailer.NewOutbox(filepath.Join(t.TempDir(), "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	s, a := newAdminServerWith(t, func(s *Server, d *sqlite.DB) {
		s.Campaigns = testCampaigns(s, d, q, out, []byte("0123456789abcdef0123456789abcdef"))
		s.Settings = settings.NewStore(d, filepath.Join(t.TempDir(), "media"), settingsDefaults)
	})
	err = s.Settings.Save(context.Background(), &settings.Update{Publication: settings.Publication{Name: "Harbour Gazette", Credit: true}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := browser33(t)
	login33(t, ctx, a.base)
	for _, page := range []struct{ path, current string }{{"/admin", "Dashboard"}, {"/admin/campaigns", "Campaigns"}, {"/admin/articles", "Articles"}, {"/admin/subscribers", "Subscribers"}, {"/admin/deliverability", "Deliverability"}} {
		for _, w := range []int64{320, 390, 700} {
			v := view33{w, "light"}
			open33(t, ctx, v, a.base+page.path)
			if o := eval33[string](t, ctx, lay37Named+`(`+strconv.Quote(page.current)+`)`); o != "" {
				t.Errorf("%s at %s: %s", page.path, v, o)
			}
			if o := eval33[string](t, ctx, lay37HeadingAction); o != "" {
				t.Errorf("%s at %s: %s", page.path, v, o)
			}
			if got := eval33[string](t, ctx, `document.querySelector("header summary").textContent.replace(/\s+/g, " ")`); got != "Menu: "+page.current {
				t.Errorf("%s at %s: the menu's button is named %q, want %q", page.path, v, got, "Menu: "+page.current)
			}
			if o := eval33[string](t, ctx, `overflow()`); o != "" {
				t.Errorf("%s at %s: %s", page.path, v, o)
			}
		}
	}
	open33(t, ctx, view33{390, "light"}, a.base+"/admin/deliverability")
	lay37Shot(t, ctx, "lay37-menu-named-390")
}

// The first Tab on an admin page reaches "Skip to content", in sight
// while focused, and following it moves the focus to the page's main
// content, past the menu.
func TestLay37SkipLinkIsTheFirstTabStop(t *testing.T) {
	_, a, _ := newReportAdmin(t)
	ctx := browser33(t)
	login33(t, ctx, a.base)
	for _, v := range views33 {
		open33(t, ctx, v, a.base+"/admin/lists")
		pages31Do(t, ctx, "press Tab", chromedp.KeyEvent(kb.Tab))
		got := eval33[string](t, ctx, `(function () {
			var el = document.activeElement, r = el.getBoundingClientRect();
			if (el.tagName !== "A" || el.textContent !== "Skip to content") return "the first tab stop is " + el.outerHTML.slice(0, 80);
			if (r.top < 0 || r.bottom > innerHeight || r.width < 20) return "the focused skip link is out of sight at " + Math.round(r.left) + "," + Math.round(r.top);
			return "";
		})()`)
		if got != "" {
			t.Errorf("at %s: %s", v, got)
			continue
		}
		if v.width == 390 && v.scheme == "light" {
			lay37Shot(t, ctx, "lay37-skip-390")
		}
		pages31Do(t, ctx, "follow the skip link", chromedp.KeyEvent(kb.Enter))
		if got := eval33[string](t, ctx, `document.activeElement.tagName + " " + document.activeElement.id`); got != "MAIN main" {
			t.Errorf("at %s: after the skip link the focus is on %q, want main", v, got)
		}
		pages31Do(t, ctx, "press Tab in main", chromedp.KeyEvent(kb.Tab))
		if got := eval33[bool](t, ctx, `!!document.activeElement.closest("main")`); !got {
			t.Errorf("at %s: the Tab after the skip link left main", v)
		}
	}
}

// newLay37Report is a report server whose campaigns' opens, as the open
// pixel reads them, are known: tracking.Links beside the reports.
func newLay37Report(t *testing.T) (*adminClient, *sqlite.DB) {
	t.Helper()
	var db *sqlite.DB
	_, a := newAdminServerWith(t, func(s *Server, d *sqlite.DB) {
		db = d
		s.TrackDeps = TrackDeps{Reports: tracking.NewReports(d), Links: tracking.NewLinks(d)}
	})
	a.login("correct horse battery")
	return a, db
}

// lay37Campaign stores a campaign sent an hour ago to a new list that
// counts opens or not, clicked and opened in that hour only: the path of
// its report and its start.
func lay37Campaign(t *testing.T, db *sqlite.DB, slug string, opens bool) (string, time.Time) {
	t.Helper()
	exec := execer(t, db)
	now := sqlite.Now()
	started := now.UTC().Add(-time.Hour).Truncate(time.Hour)
	list := exec(`INSERT INTO lists (slug, name, tracking, opens, created_at) VALUES (?, ?, 'anonymous', ?, ?)`, slug, slug, opens, now)
	id := exec(`INSERT INTO campaigns (kind, subject, status, tracking, opens, started_at, created_at, updated_at) VALUES ('campaign', ?, 'sent', 'anonymous', ?, ?, ?, ?)`, "To "+slug, opens, started, now, now)
	exec(`INSERT INTO campaign_lists (campaign_id, list_id) VALUES (?, ?)`, id, list)
	exec(`INSERT INTO campaign_links (campaign_id, idx, url) VALUES (?, 0, 'https://harbourgazette.example/pier')`, id)
	for i := range 3 {
		exec(`INSERT INTO clicks (campaign_id, link_idx, clicker, at) VALUES (?, 0, ?, ?)`, id, i, started.Add(time.Duration(i+1)*time.Minute))
		if opens {
			exec(`INSERT INTO opens (campaign_id, opener, at) VALUES (?, ?, ?)`, id, i, started.Add(time.Duration(i+1)*time.Minute))
		}
	}
	return "/admin/campaigns/" + strconv.FormatInt(id, 10) + "/report", started
}

var lay37Opens = regexp.MustCompile(`<td data-label="Opens">(.*?)</td>`)

// A campaign to a list that does not count opens says so, where "0 (0
// readers)" read as nobody having opened it; one to a list that counts
// them gives its figures.
func TestLay37ReportSaysOpensAreNotCounted(t *testing.T) {
	a, db := newLay37Report(t)
	for _, c := range []struct {
		slug  string
		opens bool
		cell  string // what the Opens cell starts with
	}{
		{"morning-brief", false, `<span class="muted">not counted</span>`},
		{"evening-news", true, `3 <span class="muted">(3 readers)</span>`},
	} {
		path, _ := lay37Campaign(t, db, c.slug, c.opens)
		resp, body := a.get(path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		m := lay37Opens.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s: no Opens cell in:\n%s", c.slug, body)
		}
		if m[1] != c.cell {
			t.Errorf("%s: the Opens cell reads %q, want %q", c.slug, m[1], c.cell)
		}
		said := strings.Contains(body, "Opens are not counted for its lists")
		if said == c.opens {
			t.Errorf("%s (opens %v): the report says opens are not counted: %v", c.slug, c.opens, said)
		}
	}
}

var lay37AxisText = regexp.MustCompile(`<text x="([^"]*)" y="206"[^>]*>([^<]*)</text>`)

// A campaign with one hour of clicks draws its hours over time up to
// now, a 48th of the width each as for its first 48 hours, labelled by
// its first hour: it drew one bar the chart's width, labelled with that
// hour at both ends. No hour still to come is drawn or named
// (TestReportChartStopsAtNow).
func TestLay37OneHourChartHasAnAxis(t *testing.T) {
	a, db := newLay37Report(t)
	path, started := lay37Campaign(t, db, "morning-brief", true)
	_, body := a.get(path)
	svg := clicksChart(t, body)
	labels := lay37AxisText.FindAllStringSubmatch(svg, -1)
	if len(labels) != 1 || labels[0][2] != started.Format("2 Jan 15:04") {
		t.Errorf("the chart's axis reads %q, want %q only", labels, started.Format("2 Jan 15:04"))
	}
	hours := int(time.Now().UTC().Truncate(time.Hour).Sub(started)/time.Hour) + 1
	if n := strings.Count(svg, "<rect "); n != hours {
		t.Errorf("the chart has %d bars, want one per hour up to now, %d", n, hours)
	}
	if !strings.Contains(svg, `<rect x="1.5" y="20.0" width="12.0"`) {
		t.Errorf("the first hour's bar is not a 48th of the chart's width:\n%s", svg)
	}
	if !strings.Contains(svg, "<title>"+started.Format("2 Jan 15:04")+": 3 clicks</title>") {
		t.Errorf("the first hour's bar is not titled with its 3 clicks:\n%s", svg)
	}
}
