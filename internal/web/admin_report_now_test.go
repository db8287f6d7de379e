package web

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// clicksChart is the report's chart of clicks over time, its outer SVG
// holding the inner one of its bars.
func clicksChart(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, "People&#39;s clicks by hour")
	if i < 0 {
		t.Fatalf("no chart of clicks over time in:\n%s", body)
	}
	svg := body[i:]
	if inner := strings.Index(svg, "</svg>"); inner >= 0 {
		if outer := strings.Index(svg[inner+1:], "</svg>"); outer >= 0 {
			svg = svg[:inner+1+outer]
		}
	}
	return svg
}

var barHour = regexp.MustCompile(`<title>(\d+ [A-Z][a-z]+ \d\d:\d\d): `)

// The chart over time of a campaign sent ten minutes ago draws its hours
// up to the one now is in: it drew the next 47 hours too, "7 Dec 12:00:
// 0 clicks" two days ahead, as if they had been counted.
func TestReportChartStopsAtNow(t *testing.T) {
	a, db := newLay37Report(t)
	exec := execer(t, db)
	now := sqlite.Now().UTC()
	started := now.Add(-10 * time.Minute)
	list := exec(`INSERT INTO lists (slug, name, tracking, opens, created_at) VALUES ('harbour', 'Harbour', 'anonymous', 1, ?)`, now)
	id := exec(`INSERT INTO campaigns (kind, subject, status, tracking, opens, started_at, created_at, updated_at) VALUES ('campaign', 'Tides', 'sent', 'anonymous', 1, ?, ?, ?)`, started, now, now)
	exec(`INSERT INTO campaign_lists (campaign_id, list_id) VALUES (?, ?)`, id, list)
	exec(`INSERT INTO campaign_links (campaign_id, idx, url) VALUES (?, 0, 'https://harbour.example/tides')`, id)
	exec(`INSERT INTO clicks (campaign_id, link_idx, clicker, at) VALUES (?, 0, 1, ?)`, id, started.Add(time.Minute))
	exec(`INSERT INTO opens (campaign_id, opener, at) VALUES (?, 1, ?)`, id, started.Add(time.Minute))

	// The hour may turn during the request: its last bar is then either.
	begun := time.Now().UTC().Truncate(time.Hour)
	_, body := a.get("/admin/campaigns/" + strconv.FormatInt(id, 10) + "/report")
	end := time.Now().UTC().Truncate(time.Hour)
	for _, chart := range []string{clicksChart(t, body), body[strings.Index(body, "People&#39;s opens by hour"):]} {
		hours := barHour.FindAllStringSubmatch(chart, -1)
		if len(hours) == 0 {
			t.Fatalf("the chart has no bars:\n%s", chart)
		}
		for _, h := range hours {
			at, err := time.Parse("2 Jan 15:04 2006", h[1]+" "+strconv.Itoa(end.Year()))
			if err != nil {
				t.Fatal(err)
			}
			if at.After(end) {
				t.Errorf("the chart draws %s, an hour to come (now is %s):\n%s", h[1], time.Now().UTC().Format("15:04"), chart)
				break
			}
		}
		if last := hours[len(hours)-1][1]; last != end.Format("2 Jan 15:04") && last != begun.Format("2 Jan 15:04") {
			t.Errorf("the chart's last bar is %s, want the hour now is in, %s", last, end.Format("2 Jan 15:04"))
		}
	}
	for _, future := range []string{end.Add(time.Hour).Format("2 Jan 15:04"), started.Truncate(time.Hour).Add(47 * time.Hour).Format("2 Jan 15:04")} {
		if strings.Contains(body, future) {
			t.Errorf("the report names %s, an hour to come", future)
		}
	}
}
