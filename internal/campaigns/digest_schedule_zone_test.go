package campaigns_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// A weekly digest falls on its weekday in a zone whose clocks go forward
// at midnight. On Sunday 6 September 2026 Chile goes from Saturday 24:00
// (-04) to Sunday 01:00 (-03): a Sunday 00:00 digest goes out at 01:00
// -03, the first instant of that Sunday, not on the Saturday before (the
// instant time.Date gives for 00:00) nor on the Monday after.
func TestWeeklyDigestFallsOnItsWeekdayWhenMidnightIsSkipped(t *testing.T) {
	e := newSchedEnv(t, monday)
	id := e.listAt(t, "noticias", "weekly", 0, "sunday", "America/Santiago")
	lastSunday := time.Date(2026, 8, 30, 4, 0, 30, 0, time.UTC) // Sunday 30 August 00:00:30 -04
	e.exec(t, `INSERT INTO digest_marks (list_id, last_digest_at, last_slot) VALUES (?, ?, ?)`, id, lastSunday, lastSunday.Truncate(time.Hour))
	sunday := time.Date(2026, 9, 6, 4, 0, 0, 0, time.UTC) // Sunday 6 September 01:00 -03
	ctx := context.Background()

	saturdayNight := time.Date(2026, 9, 6, 3, 30, 0, 0, time.UTC) // Saturday 23:30 -04
	if due, err := e.svc.DueDigests(ctx, saturdayNight); err != nil || len(due) != 0 {
		t.Errorf("due on Saturday 23:30 = %+v, %v; want nothing before Sunday", due, err)
	}
	sundayNoon := time.Date(2026, 9, 6, 15, 0, 0, 0, time.UTC)
	due, err := e.svc.DueDigests(ctx, sundayNoon)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 || !due[0].Slot.Equal(sunday) {
		t.Errorf("due on Sunday noon = %+v, want the weekly digest of Sunday 01:00 -03 (%s)", due, sunday)
	}

	saturday := time.Date(2026, 9, 5, 15, 0, 0, 0, time.UTC)
	for _, cadence := range []string{campaigns.CadenceDaily, campaigns.CadenceWeekly} {
		next := campaigns.NextDigest(saturday, cadence, 0, "sunday", "America/Santiago")
		if got := next.Format(time.RFC3339); got != "2026-09-06T01:00:00-03:00" {
			t.Errorf("next %s digest after Saturday noon = %s, want 2026-09-06T01:00:00-03:00", cadence, got)
		}
	}
}

// A digest's byline dates and the date range at its top are the list's
// local dates: a story out at 07:30 on 21 November in Tokyo (22:30Z on the
// 20th) is dated 21 November in that list's 08:00 digest.
func TestDigestDatesAreTheListsLocalDates(t *testing.T) {
	at := time.Date(2026, 11, 20, 23, 0, 0, 0, time.UTC) // 21 November 08:00 JST
	e := newSchedEnv(t, at)
	news := e.listAt(t, "news", "daily", 8, "monday", "Asia/Tokyo")
	e.reader(t, "d@x.example", "confirmed", "daily", news)
	e.articleAt(t, news, "Morning-market", time.Date(2026, 11, 20, 22, 30, 0, 0, time.UTC))
	e.tick(t, at.Add(30*time.Second))
	var html, text string
	if err := e.db.Read.QueryRow(`SELECT body_html, body_text FROM campaigns WHERE kind = 'digest'`).Scan(&html, &text); err != nil {
		t.Fatal(err)
	}
	for part, body := range map[string]string{"text": text, "HTML": html} {
		if strings.Count(body, "21 November 2026") != 2 || strings.Contains(body, "20 November") {
			t.Errorf("the %s part does not date the story 21 November (Tokyo) in the range and the byline:\n%s", part, body)
		}
	}
}
