package campaigns_test

import (
	"context"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/subscribers"
)

// A change to a list's digest hour or time zone takes effect from the next
// day (daily) or week (weekly): a digest that went out today, or this
// week, at the old hour or in the old zone is today's or this week's, and
// readers do not get a second one.
func TestScheduleChangeWaitsForTheNextDayOrWeek(t *testing.T) {
	t.Run("daily hour 8 to 18", func(t *testing.T) {
		e := newSchedEnv(t, monday)
		news := e.listAt(t, "news", "daily", 8, "monday", "UTC")
		e.reader(t, "d@x.example", "confirmed", "daily", news)
		e.articleAt(t, news, "Morning", monday.Add(7*time.Hour))
		e.tick(t, monday.Add(8*time.Hour+30*time.Second))
		e.articleAt(t, news, "Noon", monday.Add(11*time.Hour))
		e.clock = monday.Add(12 * time.Hour)
		e.exec(t, `UPDATE lists SET digest_hour = 18 WHERE id = ?`, news)
		e.tick(t, monday.Add(18*time.Hour+30*time.Second))
		if n := e.digestsTo(t, "d@x.example"); n != 1 {
			t.Errorf("%d daily digests to d on Monday, want 1", n)
		}
		e.tick(t, monday.Add(42*time.Hour+30*time.Second)) // Tuesday 18:00:30
		if n := e.got(t, "d@x.example", "Noon"); n != 1 {
			t.Errorf("Noon in %d digests by Tuesday 18:00, want 1", n)
		}
	})
	t.Run("weekly zone UTC to Los Angeles", func(t *testing.T) {
		e := newSchedEnv(t, monday)
		news := e.listAt(t, "news", "weekly", 8, "monday", "UTC")
		e.reader(t, "w@x.example", "confirmed", "weekly", news)
		e.articleAt(t, news, "Morning", monday.Add(7*time.Hour))
		e.tick(t, monday.Add(8*time.Hour+30*time.Second))
		e.articleAt(t, news, "Later", monday.Add(9*time.Hour))
		e.clock = monday.Add(10 * time.Hour)
		e.exec(t, `UPDATE lists SET timezone = 'America/Los_Angeles' WHERE id = ?`, news)
		e.tick(t, monday.Add(16*time.Hour+30*time.Second)) // Monday 08:00:30 PST
		if n := e.digestsTo(t, "w@x.example"); n != 1 {
			t.Errorf("%d weekly digests to w on Monday, want 1", n)
		}
		e.tick(t, monday.Add(7*24*time.Hour+16*time.Hour+30*time.Second)) // the next Monday 08:00:30 PST
		if n := e.got(t, "w@x.example", "Later"); n != 1 {
			t.Errorf("Later in %d digests by the next Monday, want 1", n)
		}
	})
}

// A weekly list that becomes daily starts its round-up where its last
// weekly digest ended: a weekly reader gets no off-schedule round-up of
// the week mailed already, and gets the articles since in the round-up on
// the list's weekday.
func TestWeeklyToDailyRoundUpGoesOnFromTheLastWeeklyDigest(t *testing.T) {
	e := newSchedEnv(t, monday)
	news := e.listAt(t, "news", "weekly", 8, "monday", "UTC")
	e.reader(t, "w@x.example", "confirmed", "weekly", news)
	e.reader(t, "d@x.example", "confirmed", "daily", news)
	e.articleAt(t, news, "Storm", monday.Add(7*time.Hour))
	e.tick(t, monday.Add(8*time.Hour+30*time.Second))
	if e.got(t, "w@x.example", "Storm") != 1 {
		t.Fatal("setup: Monday's weekly digest did not reach w with Storm")
	}
	e.articleAt(t, news, "Bridge", monday.Add(34*time.Hour)) // Tuesday 10:00
	e.clock = monday.Add(57 * time.Hour)                     // Wednesday 09:00
	daily := "daily"
	if _, err := subscribers.NewStore(e.db).UpdateList(context.Background(), "news", &subscribers.ListPatch{Digest: &daily}); err != nil {
		t.Fatal(err)
	}
	for h := 57; h < 7*24+8; h += 24 { // each day at 09:00 up to next Monday
		e.tick(t, monday.Add(time.Duration(h)*time.Hour))
	}
	if n := e.digestsTo(t, "w@x.example"); n != 1 {
		t.Errorf("%d digests to w before next Monday's round-up, want 1 (Monday's weekly)", n)
	}
	e.tick(t, monday.Add(7*24*time.Hour+8*time.Hour+30*time.Second)) // next Monday 08:00:30
	if n := e.got(t, "w@x.example", "Storm"); n != 1 {
		t.Errorf("w got Storm in %d digests, want 1 (Monday's weekly only)", n)
	}
	if n := e.got(t, "w@x.example", "Bridge"); n != 1 {
		t.Errorf("w got Bridge in %d digests, want 1 (next Monday's round-up)", n)
	}
	if n := e.got(t, "d@x.example", "Bridge"); n != 1 {
		t.Errorf("d got Bridge in %d digests, want 1 (Wednesday's daily)", n)
	}
}
