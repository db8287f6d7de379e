package campaigns_test

import (
	"context"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// handRun runs the list's digest by hand at at, as "Send now" on
// /admin/digests, POST /api/v1/digests/run and `bulletin digest run` do.
func (e *schedEnv) handRun(t *testing.T, slug string, at time.Time) *campaigns.Digest {
	t.Helper()
	e.clock = at
	d, err := e.svc.RunDigest(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// digests counts the digest campaigns made for the list.
func (e *schedEnv) digests(t *testing.T, list int64) int {
	t.Helper()
	var n int
	if err := e.db.Read.QueryRow(`SELECT COUNT(*) FROM campaigns c JOIN campaign_lists cl ON cl.campaign_id = c.id
		WHERE c.kind = 'digest' AND cl.list_id = ?`, list).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// nextRun is when the Digests page says the list's digest of cadence goes
// next, at now.
func (e *schedEnv) nextRun(t *testing.T, slug, cadence string, now time.Time) time.Time {
	t.Helper()
	next, err := e.svc.NextScheduled(context.Background(), slug, cadence, now)
	if err != nil {
		t.Fatal(err)
	}
	return next
}

// A digest sent by hand eight minutes before the list's hour does not
// cancel that day's scheduled digest (tester G): the schedule goes on as
// before, and the digest at the hour takes the articles added since the
// run by hand, and only those. A list with no run by hand, the control,
// sends at the same hour. Each is checked in a zone that is not UTC and
// on the day its clocks change, and for a weekly list on its weekday: the
// hour stays 08:00 local, and a run by hand that day moves nothing.
func TestDigestRunByHandKeepsTheDaysScheduledDigest(t *testing.T) {
	paris := func() *time.Location {
		loc, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}()
	tests := []struct {
		name, digest, weekday, zone string
		slot                        time.Time // 08:00 local that day
	}{
		// Sunday 29 March 2026, Paris goes from 02:00 CET to 03:00
		// CEST: 08:00 is 06:00Z, the day before 07:00Z.
		{"daily, the spring DST change in Paris", "daily", "monday", "Europe/Paris", time.Date(2026, 3, 29, 8, 0, 0, 0, paris)},
		// Sunday 25 October 2026, back from CEST to CET: 08:00 is 07:00Z.
		{"daily, the autumn DST change in Paris", "daily", "monday", "Europe/Paris", time.Date(2026, 10, 25, 8, 0, 0, 0, paris)},
		{"daily, Tokyo, the day before in UTC", "daily", "monday", "Asia/Tokyo", time.Date(2026, 11, 24, 8, 0, 0, 0, mustZone(t, "Asia/Tokyo"))},
		{"weekly, on its Sunday of the spring DST change", "weekly", "sunday", "Europe/Paris", time.Date(2026, 3, 29, 8, 0, 0, 0, paris)},
		{"weekly, New York, Monday", "weekly", "monday", "America/New_York", time.Date(2026, 11, 23, 8, 0, 0, 0, mustZone(t, "America/New_York"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slot := tt.slot.UTC()
			e := newSchedEnv(t, slot.Add(-24*time.Hour))
			news := e.listAt(t, "news", tt.digest, 8, tt.weekday, tt.zone)
			control := e.listAt(t, "control", tt.digest, 8, tt.weekday, tt.zone)
			e.reader(t, "r@x.example", "confirmed", tt.digest, news)
			e.reader(t, "c@x.example", "confirmed", tt.digest, control)
			e.link(t, e.articleAt(t, news, "Ferry", slot.Add(-time.Hour)), control)
			// Before the day: the lists have been sent their digests up
			// to their last slot, as the scheduler left them.
			e.tick(t, slot.Add(-10*time.Minute))
			if e.digests(t, news) != 1 || e.digests(t, control) != 1 {
				t.Fatalf("setup: %d and %d digests before the day's, want the one of the last slot each", e.digests(t, news), e.digests(t, control))
			}

			hand := slot.Add(-8 * time.Minute)
			e.articleAt(t, news, "Article-A", hand.Add(-time.Minute))
			if d := e.handRun(t, "news", hand); d.ID == 0 || d.Articles != 1 {
				t.Fatalf("run by hand at %s = %+v, want a digest of Article-A", hand, d)
			}
			if next := e.nextRun(t, "news", tt.digest, hand.Add(time.Minute)); !next.Equal(slot) {
				t.Errorf("after the run by hand the next run is %s, want the day's slot %s", next, tt.slot)
			}
			e.link(t, e.articleAt(t, news, "Article-B", hand.Add(3*time.Minute)), control)

			due := e.tick(t, slot.Add(30*time.Second))
			if len(due) != 2 {
				t.Errorf("due at the hour = %+v, want both lists' digests", due)
			}
			if n := e.got(t, "c@x.example", "Article-B"); n != 1 {
				t.Errorf("the control list's reader got Article-B in %d digests at the hour, want 1", n)
			}
			if n := e.got(t, "r@x.example", "Article-B"); n != 1 {
				t.Errorf("the reader got Article-B in %d digests at the hour, want 1: the run by hand cancelled the day's digest", n)
			}
			if n := e.got(t, "r@x.example", "Article-A"); n != 1 {
				t.Errorf("the reader got Article-A in %d digests, want 1 (the run by hand's)", n)
			}
			if next, want := e.nextRun(t, "news", tt.digest, slot.Add(time.Minute)), e.nextRun(t, "control", tt.digest, slot.Add(time.Minute)); !next.Equal(want) || !next.After(slot) {
				t.Errorf("after the hour the next run is %s, want the control's, %s", next, want)
			}

			// The hour is served: nothing more that day, nor again
			// the next ticks; the next slot sends what came since.
			for _, at := range []time.Time{slot.Add(time.Minute), slot.Add(3 * time.Hour), slot.Add(20 * time.Hour)} {
				if due := e.tick(t, at); len(due) != 0 {
					t.Errorf("due at %s = %+v, want nothing before the next day", at, due)
				}
			}
			e.articleAt(t, news, "Article-C", slot.Add(21*time.Hour))
			later := slot.AddDate(0, 0, 1)
			if tt.digest == "weekly" {
				later = slot.AddDate(0, 0, 7)
			}
			e.tick(t, later.Add(2*time.Hour)) // past the next slot, whatever the DST
			for title, want := range map[string]int{"Ferry": 1, "Article-A": 1, "Article-B": 1, "Article-C": 1} {
				if n := e.got(t, "r@x.example", title); n != want {
					t.Errorf("the reader got %s in %d digests in all, want %d", title, n, want)
				}
			}
			if n := e.digestsTo(t, "r@x.example"); n != 4 {
				t.Errorf("%d digests to the reader, want 4: the last slot's, the run by hand's, the day's and the next one's", n)
			}
		})
	}
}

// link adds the article to list too.
func (e *schedEnv) link(t *testing.T, article, list int64) {
	t.Helper()
	e.exec(t, `INSERT INTO article_lists (article_id, list_id) VALUES (?, ?)`, article, list)
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// A run by hand that took every article leaves the day's scheduled digest
// nothing to send: it mails no one, as a scheduled digest with nothing new
// does, and the slot is served all the same (not due at every tick).
func TestDigestAfterARunByHandWithNothingNewMailsNoOne(t *testing.T) {
	slot := monday.Add(8 * time.Hour)
	e := newSchedEnv(t, slot.Add(-time.Hour))
	news := e.listAt(t, "news", "daily", 8, "monday", "UTC")
	e.reader(t, "r@x.example", "confirmed", "daily", news)
	e.articleAt(t, news, "Article-A", slot.Add(-time.Hour))
	if d := e.handRun(t, "news", slot.Add(-8*time.Minute)); d.ID == 0 {
		t.Fatalf("run by hand = %+v, want a digest", d)
	}
	if due := e.tick(t, slot.Add(30*time.Second)); len(due) != 2 {
		t.Fatalf("due at the hour = %+v, want the daily digest and the round-up", due)
	}
	if n := e.digestsTo(t, "r@x.example"); n != 1 {
		t.Errorf("%d digests to the reader, want 1: the run by hand's, and none at the hour with nothing new", n)
	}
	if due := e.tick(t, slot.Add(time.Minute)); len(due) != 0 {
		t.Errorf("due a minute later = %+v, want the slot served", due)
	}
	if next := e.nextRun(t, "news", "daily", slot.Add(time.Minute)); !next.Equal(slot.AddDate(0, 0, 1)) {
		t.Errorf("next run after the hour = %s, want the next day's", next)
	}
}

// A run by hand after the day's digest, or on the days between a weekly
// list's, moves the schedule neither way: the next slot is due at its
// hour, with the articles since the run by hand.
func TestDigestRunByHandBetweenSlots(t *testing.T) {
	e := newSchedEnv(t, monday)
	news := e.listAt(t, "news", "weekly", 8, "monday", "UTC")
	e.reader(t, "r@x.example", "confirmed", "weekly", news)
	e.articleAt(t, news, "Article-A", monday.Add(7*time.Hour))
	e.tick(t, monday.Add(8*time.Hour+30*time.Second))
	e.articleAt(t, news, "Article-B", monday.Add(9*time.Hour))
	e.handRun(t, "news", monday.Add(10*time.Hour))
	e.articleAt(t, news, "Article-C", monday.Add(3*24*time.Hour))
	e.handRun(t, "news", monday.Add(7*24*time.Hour+7*time.Hour+52*time.Minute)) // the next Monday 07:52
	e.articleAt(t, news, "Article-D", monday.Add(7*24*time.Hour+7*time.Hour+55*time.Minute))
	for h := 11; h < 7*24+8; h += 5 {
		if due := e.tick(t, monday.Add(time.Duration(h)*time.Hour)); len(due) != 0 {
			t.Fatalf("due at %s = %+v, want nothing before the next Monday 08:00", e.clock, due)
		}
	}
	e.tick(t, monday.Add(7*24*time.Hour+8*time.Hour+30*time.Second))
	for _, title := range []string{"Article-A", "Article-B", "Article-C", "Article-D"} {
		if n := e.got(t, "r@x.example", title); n != 1 {
			t.Errorf("the reader got %s in %d digests, want 1", title, n)
		}
	}
	if n := e.digestsTo(t, "r@x.example"); n != 4 {
		t.Errorf("%d digests to the reader, want 4 (two scheduled, two by hand)", n)
	}
}

// Back after a downtime over the list's hour, the scheduler sends one
// digest for the days missed; one sent so before the day's hour is, like a
// run by hand, not that day's: the day's digest follows at its hour with
// what came since, and with nothing new it mails no one.
func TestDigestCatchUpBeforeTheHourKeepsTheDaysDigest(t *testing.T) {
	e := newSchedEnv(t, monday)
	news := e.listAt(t, "news", "daily", 8, "monday", "Europe/Paris") // 07:00Z in November
	e.reader(t, "r@x.example", "confirmed", "daily", news)
	e.tick(t, monday.Add(7*time.Hour+30*time.Second))
	e.articleAt(t, news, "Article-A", monday.Add(9*time.Hour))
	e.articleAt(t, news, "Article-B", monday.Add(30*time.Hour))
	// Down from Monday 09:00Z to Wednesday 05:00Z (06:00 Paris): Tuesday's
	// 08:00 was missed.
	wednesday := monday.Add(2 * 24 * time.Hour)
	due := e.tick(t, wednesday.Add(5*time.Hour))
	if len(due) != 1 || !due[0].Slot.Equal(monday.Add(24*time.Hour+7*time.Hour)) {
		t.Fatalf("due when back = %+v, want Tuesday's daily digest once", due)
	}
	e.articleAt(t, news, "Article-C", wednesday.Add(5*time.Hour+30*time.Minute))
	e.tick(t, wednesday.Add(7*time.Hour+30*time.Second))
	for _, title := range []string{"Article-A", "Article-B", "Article-C"} {
		if n := e.got(t, "r@x.example", title); n != 1 {
			t.Errorf("the reader got %s in %d digests, want 1", title, n)
		}
	}
	if n := e.digestsTo(t, "r@x.example"); n != 2 {
		t.Errorf("%d digests to the reader, want 2: the catch-up and Wednesday's", n)
	}
}

// The Digests page's next run agrees with the scheduler after a change of
// hour: a list whose digest went out at 08:00 and that moved to 18:00 sends
// none at 18:00 that day (TestScheduleChangeWaitsForTheNextDayOrWeek), and
// its next run is the next day's 18:00, not that day's.
func TestNextScheduledAfterAChangeOfHour(t *testing.T) {
	e := newSchedEnv(t, monday)
	news := e.listAt(t, "news", "daily", 8, "monday", "UTC")
	e.reader(t, "r@x.example", "confirmed", "daily", news)
	e.tick(t, monday.Add(8*time.Hour+30*time.Second))
	e.exec(t, `UPDATE lists SET digest_hour = 18 WHERE id = ?`, news)
	noon := monday.Add(12 * time.Hour)
	if next := e.nextRun(t, "news", "daily", noon); !next.Equal(monday.Add(42 * time.Hour)) {
		t.Errorf("next run at noon = %s, want Tuesday 18:00", next)
	}
	if due := e.tick(t, monday.Add(18*time.Hour+30*time.Second)); len(due) != 0 {
		t.Errorf("due at 18:00 = %+v, want no second digest that day", due)
	}
	// The round-up of a daily list went out at 08:00 too: this
	// Monday's is served.
	if next := e.nextRun(t, "news", "weekly", noon); !next.Equal(monday.Add(7*24*time.Hour + 18*time.Hour)) {
		t.Errorf("next round-up at noon = %s, want the next Monday 18:00", next)
	}
	if next := campaigns.NextDigest(noon, "daily", 18, "monday", "UTC"); !next.Equal(monday.Add(18 * time.Hour)) {
		t.Errorf("NextDigest, which knows no digest built, = %s, want Monday 18:00", next)
	}
}
