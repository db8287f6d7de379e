package web

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// phone37Address is a tracked link's address of exactly 300 characters,
// as campaign tags and a long slug make one.
func phone37Address(t *testing.T) string {
	t.Helper()
	u := "https://www.harbourgazette.example/2026/11/20/council-approves-the-long-awaited-reopening-of-the-swing-bridge-after-two-winters-of-repairs-and-a-vote?utm_source=newsletter&utm_medium=email&utm_campaign=weekly-roundup-november&utm_content=lead-story&utm_term=swing-bridge&ref="
	u += strings.Repeat("x", 300-len(u))
	if len(u) != 300 {
		t.Fatalf("the address is %d characters, want 300", len(u))
	}
	return u
}

// report37Server is an admin with a campaign sent at 14:00 four days
// ago, so that its series has 48 hours, then the rest of that day
// (14:00–24:00) and whole days, clicked and opened each hour; among its
// links is long, an address of 300 characters. It returns the report's
// path.
func report37Server(t *testing.T, long string) (*adminClient, string) {
	t.Helper()
	_, a, db := newReportAdmin(t)
	tx, exec := reportTx(t, db)
	defer tx.Rollback()
	now := sqlite.Now()
	started := now.UTC().Add(-4 * 24 * time.Hour).Truncate(24 * time.Hour).Add(14 * time.Hour)
	for i := range 400 {
		email := "reader" + strconv.Itoa(i) + "@example.com"
		exec(`INSERT INTO subscribers (email, email_key, status, created_at, updated_at) VALUES (?, ?, 'confirmed', ?, ?)`, email, email, now, now)
	}
	id := exec(`INSERT INTO campaigns (kind, subject, status, tracking, opens, started_at, created_at, updated_at) VALUES ('campaign', 'The swing bridge', 'sent', 'on', 1, ?, ?, ?)`, started, now, now)
	exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at) SELECT ?, id, 'sent', ?, ? FROM subscribers`, id, started, started)
	urls := []string{long, "https://www.harbourgazette.example/opinion/letters", "http://old.example/a"}
	for i, u := range urls {
		exec(`INSERT INTO campaign_links (campaign_id, idx, url) VALUES (?, ?, ?)`, id, i, u)
	}
	for h := 0; started.Add(time.Duration(h) * time.Hour).Before(now.Add(-time.Hour)); h++ {
		for j := range 1 + h%5 {
			at := started.Add(time.Duration(h)*time.Hour + time.Duration(j)*time.Second)
			exec(`INSERT INTO clicks (campaign_id, link_idx, clicker, at) VALUES (?, ?, ?, ?)`, id, j%len(urls), h*10+j, at)
			exec(`INSERT INTO opens (campaign_id, opener, at) VALUES (?, ?, ?)`, id, h*10+j, at)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return a, "/admin/campaigns/" + strconv.FormatInt(id, 10) + "/report"
}

// report37Reads is "" when the report's tables read well, else what does
// not: a table of figures without its headers in sight, an hour (or a
// day) of the "Over time" table on more than one line, the header of
// that table gone when it is scrolled, the long address on more than two
// lines or without the whole address in its link and title, a link's
// figures below it, text under 12 px. It is a function of the address.
const report37Reads = `function (long) {
	var bad = [];
	// lineCount is how many lines the text inside el is on: the tops of
	// its text's boxes (not of the elements holding it), those within a
	// few pixels of each other counted as one.
	function lineCount(el) {
		var walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT), tops = [];
		for (var text = walk.nextNode(); text; text = walk.nextNode()) {
			var r = document.createRange();
			r.selectNodeContents(text);
			Array.prototype.forEach.call(r.getClientRects(), function (b) { if (b.width > 0 && b.height > 0) tops.push(b.top); });
		}
		tops.sort(function (a, b) { return a - b; });
		var n = 0;
		for (var i = 0; i < tops.length; i++) if (i === 0 || tops[i] - tops[i - 1] > 4) n++;
		return n;
	}
	var tables = document.querySelectorAll("main table");
	if (tables.length < 3) bad.push(tables.length + " tables, want the figures, the series and the links");
	for (var i = 1; i < tables.length; i++) {
		var heads = tables[i].rows[0].cells;
		if (heads.length < 3) bad.push("table " + i + " has " + heads.length + " headers");
		for (var j = 0; j < heads.length; j++) {
			var h = heads[j].getBoundingClientRect();
			if (h.width < 1 || h.height < 1) bad.push("table " + i + "'s header " + JSON.stringify(heads[j].textContent) + " is hidden");
		}
	}
	for (var all = document.querySelectorAll("main table *"), i = 0; i < all.length; i++) {
		var size = parseFloat(getComputedStyle(all[i]).fontSize);
		if (size < 12 && all[i].textContent.trim() !== "") bad.push(JSON.stringify(all[i].textContent.slice(0, 30)) + " is " + size + " px");
	}
	var region = document.querySelector("[role=region]"), series = region && region.querySelector("table");
	if (!series) return "no table over time";
	var rows = series.querySelectorAll("tr"), partDay = false, tall = [];
	if (rows.length < 50) bad.push("the table over time has " + rows.length + " rows");
	for (var i = 1; i < rows.length; i++) {
		var n = lineCount(rows[i]);
		if (n !== 1) tall.push(JSON.stringify(rows[i].innerText.replace(/\s+/g, " ")) + " is on " + n + " lines");
		if (/–24:00|to midnight/.test(rows[i].cells[0].textContent)) partDay = true;
	}
	if (tall.length > 0) bad.push(tall.length + " of the " + (rows.length - 1) + " rows over time are on more than one line: " + tall.slice(0, 3).join(", "));
	if (!partDay) bad.push("no row of the day the hours end in (…–24:00): the test's data are not the ones meant");
	region.scrollTop = region.scrollHeight;
	var top = region.getBoundingClientRect().top, head = series.rows[0].cells[0].getBoundingClientRect();
	if (region.scrollTop > 0 && (head.top < top - 0.5 || head.bottom > top + head.height + 0.5)) bad.push("scrolled to its end, the table over time's header is at " + Math.round(head.top) + " px, its box's top at " + Math.round(top));
	region.scrollTop = 0;
	var link = null, as = document.querySelectorAll("main td a");
	for (var i = 0; i < as.length; i++) if (as[i].getAttribute("href") === long) link = as[i];
	if (!link) return bad.concat("no link to the long address").join("\n\t");
	if (link.title !== long) bad.push("the long address's link is titled " + JSON.stringify(link.title));
	var lh = parseFloat(getComputedStyle(link).lineHeight), box = link.getBoundingClientRect();
	if (box.height > 2 * lh + 1) bad.push("the long address is " + Math.round(box.height) + " px high, " + (box.height / lh).toFixed(1) + " lines of " + lh + " px");
	if (box.height < lh - 1) bad.push("the long address is " + Math.round(box.height) + " px high, less than a line");
	var cells = link.closest("tr").cells;
	for (var i = 1; i < cells.length; i++) {
		if (Math.abs(cells[i].getBoundingClientRect().top - cells[0].getBoundingClientRect().top) > 1) bad.push("the long address's " + JSON.stringify(cells[i].textContent) + " is not beside it");
	}
	var cell = cells[0].getBoundingClientRect();
	if (cell.height > 2 * lh + 20) bad.push("the long address's cell is " + Math.round(cell.height) + " px high");
	return bad.join("\n\t");
}`

// On a phone (390 px), a tablet (700) and a laptop (1280), light and
// dark, the campaign report's "Over time" table gives each hour or day
// one line with the table's headers in sight, and a 300-character link
// address takes at most two lines, its link and title the whole address,
// its figures beside it; the page does not scroll sideways. Before, an
// hour took three lines on a phone (the table was stacked, its headers
// hidden) and the address nine.
// BULLETIN_SCREENSHOTS=dir keeps a screenshot of each view.
func TestReportPhone37ReadsOnEveryScreen(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	long := phone37Address(t)
	a, page := report37Server(t, long)
	ctx := browser33(t)
	login33(t, ctx, a.base)
	arg, err := json.Marshal(long)
	if err != nil {
		t.Fatal(err)
	}
	shots := os.Getenv("BULLETIN_SCREENSHOTS")
	for _, v := range []view33{{390, "light"}, {390, "dark"}, {700, "light"}, {700, "dark"}, {1280, "light"}, {1280, "dark"}} {
		open33(t, ctx, v, a.base+page)
		if o := eval33[string](t, ctx, `overflow()`); o != "" {
			t.Errorf("at %s: %s", v, o)
		}
		if o := eval33[string](t, ctx, report36Fits); o != "" {
			t.Errorf("at %s:\n\t%s", v, o)
		}
		if o := eval33[string](t, ctx, `(`+report37Reads+`)(`+string(arg)+`)`); o != "" {
			t.Errorf("at %s:\n\t%s", v, o)
		}
		if shots != "" {
			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			name := "report37-" + strings.NewReplacer(" ", "", ",", "-").Replace(v.String()) + ".png"
			if err := os.WriteFile(filepath.Join(shots, name), shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
