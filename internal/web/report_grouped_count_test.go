package web

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A report's charts wrote their counts ungrouped, "1234 clicks in all"
// and "1234 clicks at most", beside its tables' "1,234": each now groups
// thousands as the tables do.
func TestReportChartsGroupThousandsAsTheTablesDo(t *testing.T) {
	_, a, db := newReportAdmin(t)
	exec := execer(t, db)
	now := sqlite.Now()
	started := now.UTC().Add(-2 * time.Hour).Truncate(time.Hour)
	id := exec(`INSERT INTO campaigns (kind, subject, status, tracking, opens, started_at, created_at, updated_at) VALUES ('campaign', 'The ferry', 'sent', 'on', 1, ?, ?, ?)`, started, now, now)
	exec(`INSERT INTO campaign_links (campaign_id, idx, url) VALUES (?, 0, 'https://news.test/ferry')`, id)
	// 1,234 clicks and 1,001 opens, all within the campaign's first hour,
	// each by a reader of its own.
	exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1233)
		INSERT INTO clicks (campaign_id, link_idx, clicker, at) SELECT ?, 0, i, ? FROM n`, id, started.Add(time.Minute))
	exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
		INSERT INTO opens (campaign_id, opener, at) SELECT ?, i, ? FROM n`, id, started.Add(time.Minute))
	a.login("correct horse battery")
	path := "/admin/campaigns/" + strconv.FormatInt(id, 10) + "/report"
	resp, body := a.get(path)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d:\n%s", path, resp.StatusCode, body)
	}
	for _, want := range []string{
		`<td data-label="Clicks">1,234</td>`, // the table
		"1,234 clicks in all",
		"1,234 clicks at most",
		"1,001 opens in all",
		"1,001 opens at most",
		"<span>(1,234)</span>", // the link's row in the clicks-by-link chart
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	for _, not := range []string{"1234 click", "1001 open", "(1234)"} {
		if strings.Contains(body, not) {
			t.Errorf("the report says %q, ungrouped", not)
		}
	}
}
