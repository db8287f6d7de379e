package web

import (
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// report36Server is an admin with two reports read over five days: a
// campaign whose tracked links are long addresses, as campaign tags make
// them, and a digest of list "news" whose articles have long titles. It
// returns the paths of their reports and of the list's.
func report36Server(t *testing.T) (*adminClient, []string) {
	t.Helper()
	_, a, db := newReportAdmin(t)
	tx, exec := reportTx(t, db)
	defer tx.Rollback()
	now := sqlite.Now()
	started := now.Add(-5 * 24 * time.Hour).Truncate(time.Hour)
	for i := range 1500 {
		email := "reader" + strconv.Itoa(i) + "@example.com"
		exec(`INSERT INTO subscribers (email, email_key, status, created_at, updated_at) VALUES (?, ?, 'confirmed', ?, ?)`, email, email, now, now)
	}
	campaign := exec(`INSERT INTO campaigns (kind, subject, status, tracking, opens, started_at, created_at, updated_at) VALUES ('campaign', 'The harbour works, explained', 'sent', 'on', 1, ?, ?, ?)`, started, now, now)
	digest := exec(`INSERT INTO campaigns (kind, subject, status, tracking, opens, started_at, created_at, updated_at) VALUES ('digest', 'Weekly', 'sent', 'anonymous', 1, ?, ?, ?)`, started, now, now)
	exec(`INSERT INTO campaign_lists (campaign_id, list_id) SELECT ?, id FROM lists WHERE slug = 'news'`, digest)
	for _, id := range []int64{campaign, digest} {
		exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at) SELECT ?, id, 'sent', ?, ? FROM subscribers`, id, started, started)
	}
	urls := []string{
		"https://www.harbourgazette.example/2026/11/20/council-approves-the-long-awaited-reopening-of-the-swing-bridge?utm_source=newsletter&utm_medium=email&utm_campaign=weekly-roundup-november",
		"https://www.harbourgazette.example/events/winter-festival-programme-and-tickets-for-the-whole-family-including-the-lantern-parade",
		"https://maps.example/?q=quayside+market+hall+opening+hours+and+directions+from+the+station",
		"https://www.harbourgazette.example/opinion/letters",
		"https://x.example/a",
	}
	titles := []string{
		"Council approves the long-awaited reopening of the swing bridge after two winters of repairs",
		"Winter festival: the whole programme, tickets, and where to watch the lantern parade",
		"Supercalifragilisticexpialidocious-Antidisestablishmentarianism-Floccinaucinihilipilification",
		"Letters",
	}
	for i, u := range urls {
		exec(`INSERT INTO campaign_links (campaign_id, idx, url) VALUES (?, ?, ?)`, campaign, i, u)
	}
	for i, title := range titles {
		article := exec(`INSERT INTO articles (url, title, published_at, created_at) VALUES (?, ?, ?, ?)`, urls[i], title, now, now)
		exec(`INSERT INTO campaign_links (campaign_id, idx, url, article_id) VALUES (?, ?, ?, ?)`, digest, i, urls[i], article)
	}
	// Clicks and opens fall off over the days, as they do after a send:
	// many in the first hours, a few a day later.
	for h := range 5 * 24 {
		n := max(0, 60-h*2)
		if h%7 == 0 {
			n += 3
		}
		for j := range n {
			at := started.Add(time.Duration(h)*time.Hour + time.Duration(j)*time.Second)
			for _, id := range []int64{campaign, digest} {
				exec(`INSERT INTO clicks (campaign_id, link_idx, clicker, at) VALUES (?, ?, ?, ?)`, id, j%len(titles), h*100+j, at)
				exec(`INSERT INTO opens (campaign_id, opener, at) VALUES (?, ?, ?)`, id, h*100+j, at)
				exec(`INSERT INTO opens (campaign_id, opener, at) VALUES (?, ?, ?)`, id, h*100+j+50, at)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return a, []string{
		"/admin/campaigns/" + strconv.FormatInt(campaign, 10) + "/report",
		"/admin/campaigns/" + strconv.FormatInt(digest, 10) + "/report",
		"/admin/lists/news/report",
	}
}

// report36Fits is "" when a report page fits its screen, else what does
// not: the page scrolls sideways, a chart sticks out of the screen, a
// chart's text is cut off at its edge, smaller than 10 px as drawn, or
// over another of its texts, a table is wider than the box that holds
// it, or a figure of a table is off the screen.
const report36Fits = `(function(){
	var w = document.documentElement.clientWidth, bad = [];
	if (document.documentElement.scrollWidth > w) bad.push("the page is " + document.documentElement.scrollWidth + " px wide on a " + w + " px screen");
	var charts = document.querySelectorAll("figure svg[role=img]");
	if (charts.length === 0) bad.push("no chart");
	for (var i = 0; i < charts.length; i++) {
		var c = charts[i], r = c.getBoundingClientRect();
		if (r.left < -0.5 || r.right > w + 0.5) bad.push("chart " + i + " spans " + Math.round(r.left) + " to " + Math.round(r.right) + " px on a " + w + " px screen");
		// A rank chart's labels are HTML in the SVG: a name, which may
		// end in an ellipsis inside its own box, and a figure.
		var texts = c.querySelectorAll("text, foreignObject span"), boxes = [];
		if (texts.length === 0) bad.push("chart " + i + " has no words");
		for (var j = 0; j < texts.length; j++) {
			var t = texts[j], b = t.getBoundingClientRect();
			var size = parseFloat(getComputedStyle(t).fontSize) * (t.getScreenCTM ? t : t.closest("foreignObject")).getScreenCTM().a;
			if (size < 10) bad.push("chart " + i + "'s text " + JSON.stringify(t.textContent) + " is drawn " + size.toFixed(1) + " px high");
			if (b.left < r.left - 0.5 || b.right > r.right + 0.5) bad.push("chart " + i + "'s text " + JSON.stringify(t.textContent) + " spans " + Math.round(b.left) + " to " + Math.round(b.right) + " px, out of the chart's " + Math.round(r.left) + " to " + Math.round(r.right));
			for (var k = 0; k < boxes.length; k++) {
				var o = boxes[k].b;
				if (b.left < o.right - 0.5 && o.left < b.right - 0.5 && b.top < o.bottom - 0.5 && o.top < b.bottom - 0.5) bad.push("chart " + i + "'s texts " + JSON.stringify(boxes[k].text) + " and " + JSON.stringify(t.textContent) + " overlap");
			}
			boxes.push({b: b, text: t.textContent});
		}
	}
	var tables = document.querySelectorAll("main table");
	for (var i = 0; i < tables.length; i++) {
		var tb = tables[i], box = tb.parentElement, r = tb.getBoundingClientRect(), p = box.getBoundingClientRect();
		if (r.right > p.right + 0.5 || box.scrollWidth > box.clientWidth + 1) bad.push("table " + i + " (" + tb.innerText.slice(0, 40) + ") is " + Math.round(r.width) + " px wide in a box of " + Math.round(p.width) + " px");
	}
	var figures = document.querySelectorAll("td[data-label=Clicks], td[data-label=Readers], td[data-label=Opens]");
	for (var i = 0; i < figures.length; i++) {
		var r = figures[i].getBoundingClientRect();
		if (r.left < -0.5 || r.right > w + 0.5) bad.push("the figure " + figures[i].innerText + " spans " + Math.round(r.left) + " to " + Math.round(r.right) + " px on a " + w + " px screen");
	}
	return bad.join("\n\t");
})()`

// The reports of a campaign and of a digest, and a list's ranking, with
// long link addresses and titles and five days of clicks and opens, fit a
// phone's screen and a laptop's, light and dark: the page does not
// scroll sideways, the charts stay on the screen with their labels whole,
// apart and legible, and the tables of links stay in their boxes with
// their figures in sight. On a phone the charts drew all their words
// 5 px high: the whole chart was scaled down to the screen.
// BULLETIN_SCREENSHOTS=dir keeps a screenshot of each view.
func TestReport36FitsAPhone(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	a, pages := report36Server(t)
	ctx := browser33(t)
	login33(t, ctx, a.base)
	shots := os.Getenv("BULLETIN_SCREENSHOTS")
	for n, page := range pages {
		// 700 px is a tablet's: the charts take the card's whole width.
		for _, v := range append(views33, view33{700, "light"}) {
			open33(t, ctx, v, a.base+page)
			if o := eval33[string](t, ctx, `overflow()`); o != "" {
				t.Errorf("%s at %s: %s", page, v, o)
			}
			if o := eval33[string](t, ctx, report36Fits); o != "" {
				t.Errorf("%s at %s:\n\t%s", page, v, o)
			}
			if shots != "" {
				shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatalf("screenshot: %v", err)
				}
				name := "report-" + []string{"campaign", "digest", "list"}[n] + "-" + strings.NewReplacer(" ", "", ",", "-").Replace(v.String()) + ".png"
				if err := os.WriteFile(filepath.Join(shots, name), shot, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// reportTx begins a write transaction on db for a report's rows, and an
// exec that runs a statement in it, stopping the test on an error, and
// gives the row id it inserted.
func reportTx(t *testing.T, db *sqlite.DB) (*sql.Tx, func(q string, args ...any) int64) {
	t.Helper()
	tx, err := db.Write.Begin()
	if err != nil {
		t.Fatal(err)
	}
	return tx, func(q string, args ...any) int64 {
		t.Helper()
		res, err := tx.Exec(q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		id, _ := res.LastInsertId()
		return id
	}
}
