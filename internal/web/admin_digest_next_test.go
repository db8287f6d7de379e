package web

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The Digests page's next run is the one the scheduler sends. The list
// news, daily at 18:00 in a zone where it is now about noon, had its
// digest sent by hand this morning (newDigestAdmin): the schedule goes on
// as before, so the page names today's 18:00, and that slot is due then.
// Once a scheduled digest went out today at 08:00, an hour the list has
// left, today has had its digest: the page names tomorrow's 18:00, and
// today's is not due (it named today's, which never came).
func TestAdminDigestsPageNextRunIsTheSchedulers(t *testing.T) {
	svc, a, db := newDigestAdminDB(t)
	now := time.Now()
	offset := 12 - now.UTC().Hour() // hours east of UTC where it is about noon
	zone := "UTC"
	if offset != 0 {
		zone = fmt.Sprintf("Etc/GMT%+d", -offset) // Etc/GMT-3 is UTC+3
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	y, m, d := now.In(loc).Date()
	today := time.Date(y, m, d, 18, 0, 0, 0, loc)
	if _, err := db.Write.Exec(`UPDATE lists SET digest_hour = 18, timezone = ? WHERE slug = 'news'`, zone); err != nil {
		t.Fatal(err)
	}
	nextRun := func() string {
		t.Helper()
		_, body := a.get("/admin/digests")
		// The list's own next run, before the round-up's.
		cell := regexp.MustCompile(`(?s)<a href="/admin/lists/news">.*?<td data-label="Next run \(the list's time\)">([^<]*)`).FindStringSubmatch(body)
		if cell == nil {
			t.Fatalf("digests page has no next run for news:\n%s", body)
		}
		// html/template writes the zone's +07 as &#43;07.
		return strings.ReplaceAll(cell[1], "&#43;", "+")
	}
	due := func(at time.Time) bool {
		t.Helper()
		got, err := svc.DueDigests(context.Background(), at)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range got {
			if p.List == "news" && p.Cadence == "daily" {
				return true
			}
		}
		return false
	}

	if row, want := nextRun(), today.Format(nextLayout); row != want {
		t.Errorf("after this morning's digest sent by hand the next run is %q, want today's %q", row, want)
	}
	if !due(today.Add(30 * time.Second)) {
		t.Errorf("today's 18:00 digest is not due after this morning's digest sent by hand")
	}

	if _, err := db.Write.Exec(`UPDATE digest_marks SET last_slot = ? WHERE list_id = 1`, time.Date(y, m, d, 8, 0, 0, 0, loc).UTC()); err != nil {
		t.Fatal(err)
	}
	if row, want := nextRun(), today.AddDate(0, 0, 1).Format(nextLayout); row != want {
		t.Errorf("after today's scheduled digest at 08:00 the next run is %q, want tomorrow's %q", row, want)
	}
	if due(today.Add(30 * time.Second)) {
		t.Errorf("today's 18:00 digest is due though today's went out at 08:00")
	}
}
