package web

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// chartLabels is "" when every count over the dashboard's bars of new
// readers keeps to one line, clear of the paragraph above the chart and
// of its neighbours' counts, else what does not.
const chartLabels = `(function () {
	var bad = [], chart = document.querySelector(".chart"), above = chart.previousElementSibling;
	while (above && above.tagName !== "P") above = above.previousElementSibling;
	var floor = above.getBoundingClientRect().bottom, prev = null;
	Array.prototype.forEach.call(chart.querySelectorAll(".chart > div > div:first-child"), function (el) {
		if (!el.checkVisibility()) return;
		var r = document.createRange();
		r.selectNodeContents(el);
		var box = r.getBoundingClientRect();
		if (lines(el) !== 1) bad.push(JSON.stringify(el.innerText) + " takes " + lines(el) + " lines");
		if (box.top < floor) bad.push(JSON.stringify(el.innerText) + " runs into the paragraph above");
		if (prev && box.left < prev.right && box.top < prev.bottom && prev.top < box.bottom) bad.push(JSON.stringify(el.innerText) + " overlaps the count before it");
		prev = box;
	});
	return bad.join("; ");
})()`

// A day of 40,000 new readers and more is counted over its bar on one
// line, on a phone as on a laptop: "40,015" broke into "40 / ,0 / 15" at
// 390 px, over the paragraph above the chart. Every count stays in the
// bar's title, in full.
func TestAdminDashboardChartLabelsKeepToOneLine(t *testing.T) {
	t.Parallel() // its own server and browser tab: it runs beside the other browser tests
	var db *sqlite.DB
	_, a := newAdminServerWith(t, func(_ *Server, d *sqlite.DB) { db = d })
	addReaders(t, db, 40015)
	today := sqlite.Now().Truncate(24 * time.Hour)
	for i, n := range []int{3001, 999, 12345, 250000, 7, 1200, 48000} {
		day := today.AddDate(0, 0, -1-i)
		if _, err := db.Write.Exec(`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?)
			INSERT INTO subscribers (email, email_key, status, created_at, updated_at)
			SELECT 'd' || ? || '-' || i || '@example.com', 'd' || ? || '-' || i || '@example.com', 'confirmed', ?, ? FROM k`,
			n, i, i, day, day); err != nil {
			t.Fatal(err)
		}
	}
	a.login("correct horse battery")
	if _, body := a.get("/admin"); !strings.Contains(body, `class="chart"`) {
		t.Fatalf("no dashboard:\n%s", body)
	}
	ctx := browser33(t)
	base := a.base
	login33(t, ctx, base)
	for _, v := range []view33{{390, "light"}, {1280, "light"}} {
		open33(t, ctx, v, base+"/admin")
		lay37Shot(t, ctx, fmt.Sprintf("dashboard-chart-%d", v.width))
		if bad := eval33[string](t, ctx, chartLabels); bad != "" {
			t.Errorf("at %s: %s", v, bad)
		}
		if bad := eval33[string](t, ctx, "overflow()"); bad != "" {
			t.Errorf("at %s: %s", v, bad)
		}
	}
}
